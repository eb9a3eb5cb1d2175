package io.ustack.core.stack;

import static io.ustack.core.testing.Frames.ETH_P_ARP;
import static io.ustack.core.testing.Frames.ETH_P_IP;
import static io.ustack.core.testing.Frames.arp;
import static io.ustack.core.testing.Frames.checksum;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.i32;
import static io.ustack.core.testing.Frames.ip;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.link.PacketTap;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.tcp.Keepalive;
import io.ustack.core.tcp.TcpListener;
import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.tcp.TcpState;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.udp.UdpSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Structured fuzzing of the receive path: tens of thousands of frames that pass the checksums that guard
 * each layer (IP header, TCP, UDP, ICMP) and then lie in every field behind them, so ip_rcv, ip_defrag,
 * tcp_v4_rcv with tcp_parse_options and the state machine, udp_rcv and icmp_rcv with the headers quoted in
 * ICMP errors all see hostile input, not just the IP checksum check that random bytes stop at.
 *
 * <p>The hostile host plays a peer that half-follows the protocol: it completes handshakes with the ISNs
 * the stack sends, then numbers its segments near (but not always at) what the stack expects, and quotes
 * the stack's own packets in its ICMP errors. An application on the stack accepts, reads, writes and
 * closes; time jumps now and then and the timers run, so retransmissions, keepalives, TIME_WAIT and
 * reassembly timeouts fire in between.
 *
 * <p>Proved: no exception escapes the stack (backlog threads 0, so one would surface here); every frame
 * the stack sends is well formed; held memory stays within its bounds (reassembly under ipfrag_high_thresh,
 * connections the listener never handed out within its backlog); everything the stack holds dies away
 * once time passes; malformed input is counted under its drop reason; the stack still answers a ping and
 * completes a handshake afterwards; and no packet buffer leaks.
 *
 * <p>The seed is fixed and every failure names it with the frame and what was being sent. The harness seeds
 * the stack's secrets too (ISNs, SYN cookies, timestamp offsets) and its clock is manual, so a seed replays
 * the same run exactly. Another seed or a longer run: -Dustack.hostile.seed=N -Dustack.hostile.frames=N.
 */
class HostileInputTest {
    private static final long SEED = Long.getLong("ustack.hostile.seed", 0x5EED_1CE5L);
    private static final int FRAMES = Integer.getInteger("ustack.hostile.frames", 60_000);
    private static final int BACKLOG = 8;
    private static final int TCP_PORT = 80;
    private static final int UDP_PORT = 7;
    /** The host's port the stack's connected UDP socket talks to, so ICMP errors can name a real socket. */
    private static final int UDP_PEER_PORT = 9999;
    /** The host's port for the handshake after the fuzz: no hostile segment comes from it. */
    private static final int FRESH_PEER_PORT = 999;
    private static final int MTU = 1500;
    private static final int ETH_HLEN = 14;
    /**
     * More than any one frame or timer run can rightly cause (a 64 KiB echo reply is 45 fragments; a window
     * opening wide may release the whole send buffer, 256 KiB in segments of the least MSS, 36 bytes), but
     * far short of exhausting the heap with frames a loop sends.
     */
    private static final int MAX_FRAMES_PER_STEP = 20_000;

    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int PSH = 0x08;
    private static final int ACK = 0x10;
    private static final int URG = 0x20;

    private static final int OTHER_HOST = ip("10.0.0.99");
    private static final int SUBNET_BROADCAST = ip("10.0.0.255");

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails, naming no frame, but fails
    void hostileTrafficPastTheChecksumsNeverCrashesLeaksOrGrowsAndIsCounted() throws Exception {
        long started = System.nanoTime();
        try (StackHarness h = new StackHarness(MTU)) {
            Fuzzer f = new Fuzzer(h, new Random(SEED));
            f.run(FRAMES);
            f.stillServes();
            f.settle();
            f.everythingWasCounted();
            System.getLogger(HostileInputTest.class.getName()).log(System.Logger.Level.INFO,
                    "seed {0}: {1} hostile frames in {2} ms; at most {3} bytes in reassembly, {4} connections, {5}"
                            + " packet buffers held", Long.toString(SEED), f.frames, (System.nanoTime() - started) / 1_000_000,
                    f.maxReasmMemory, f.maxConnections, f.maxBuffers);
        }
    }

    /** The hostile peer's view of one connection: the stack's side at stackPort, the peer's at peerPort. */
    private static final class Conn {
        final int stackPort;
        final int peerPort;
        final boolean active;
        int peerNxt;
        boolean timestamps;
        int tsVal;
        boolean stackIsnKnown;
        int stackIsn;
        /** The highest sequence number the stack has sent, and what its last segment acknowledged. */
        int stackNxt;
        int stackAck;
        boolean stackAckKnown;
        /** What the peer last acknowledged: where its duplicate ACKs stand. */
        int peerAck;

        Conn(int stackPort, int peerPort, boolean active) {
            this.stackPort = stackPort;
            this.peerPort = peerPort;
            this.active = active;
        }
    }

    private static final class Fuzzer {
        private final StackHarness h;
        private final Random r;
        private final TcpListener listener;
        private final UdpSocket udpBound;
        private final UdpSocket udpConnected;
        private final List<Conn> conns = new ArrayList<>();
        private final Map<Integer, Conn> byPorts = new HashMap<>();
        /** Accepted and actively opened sockets the application still holds, until they reach CLOSED. */
        private final List<TcpSocket> app = new ArrayList<>();
        /** The IP packets the stack sent lately, for the hostile peer to quote in ICMP errors. */
        private final ArrayDeque<byte[]> recentOut = new ArrayDeque<>();
        private final byte[] readBuf = new byte[65_536];
        private int frames;
        private int ipFrames;
        private String current = "setup";
        private long maxReasmMemory;
        private int maxConnections;
        private int maxBuffers;
        /** Frames the stack transmitted (on any device) since the last frame was injected. */
        private int sentThisStep;

        Fuzzer(StackHarness h, Random r) throws IOException {
            this.h = h;
            this.r = r;
            h.hostArps();
            listener = h.stack.tcp().listen(0, TCP_PORT, BACKLOG);
            udpBound = h.stack.udp().open();
            udpBound.bind(0, UDP_PORT);
            udpConnected = h.stack.udp().open();
            udpConnected.connect(HOST_IP, UDP_PEER_PORT);
            // One frame in may draw a burst out (a reassembled echo request, a window of data), never a
            // stream: a loop in the stack fails here, in its own stack trace, before it exhausts the heap.
            PacketTap runaway = (pkt, dir) -> {
                if (dir == PacketTap.Direction.OUT && ++sentThisStep > MAX_FRAMES_PER_STEP) {
                    throw new AssertionError("the stack sent over " + MAX_FRAMES_PER_STEP + " frames in one step, at "
                            + where());
                }
            };
            h.dev.addPacketTap(runaway);
            h.stack.loopback().addPacketTap(runaway);
        }

        private String where() {
            return "seed " + SEED + ", frame " + frames + " (" + current + ")";
        }

        // ---- the run ----

        void run(int n) {
            while (frames < n) {
                int pick = r.nextInt(100);
                try {
                    if (pick < 8) {
                        current = "SYN to the listener";
                        synToListener();
                    } else if (pick < 35) {
                        current = "segment on a connection";
                        tcpOnConnection();
                    } else if (pick < 38) {
                        current = "duplicate ACKs with SACK blocks";
                        sackBurst();
                    } else if (pick < 45) {
                        current = "TCP to any port";
                        tcpAnywhere();
                    } else if (pick < 57) {
                        current = "UDP";
                        udp();
                    } else if (pick < 62) {
                        current = "ICMP echo";
                        icmpEcho();
                    } else if (pick < 66) {
                        current = "ICMP of any type";
                        icmpAnyType();
                    } else if (pick < 76) {
                        current = "ICMP error";
                        icmpError();
                    } else if (pick < 88) {
                        current = "fragments";
                        fragments();
                    } else if (pick < 92) {
                        current = "other protocol";
                        otherProtocol();
                    } else if (pick < 97) {
                        current = "application";
                        application();
                    } else {
                        current = "time passes";
                        tick();
                    }
                } catch (RuntimeException | StackOverflowError e) {
                    throw new AssertionError("the stack threw at " + where(), e);
                }
                checkBounds();
            }
        }

        /** Held memory stays within the limits that hostile input must not push past. */
        private void checkBounds() {
            long mem = h.stack.reassembler().memory();
            maxReasmMemory = Math.max(maxReasmMemory, mem);
            maxBuffers = Math.max(maxBuffers, h.pool.outstanding());
            assertTrue(mem <= h.stack.config().fragHighThresh(),
                    "reassembly holds " + mem + " bytes, over ipfrag_high_thresh, at " + where());
            if (frames % 64 == 0) {
                int n = h.stack.tcp().connections().size();
                maxConnections = Math.max(maxConnections, n);
                // every connection is a child in the listener's SYN or accept queue (each bounded by the
                // backlog) or a socket the application holds
                pruneApp();
                assertTrue(n <= 2 * BACKLOG + app.size(), n + " connections with a backlog of " + BACKLOG + " and "
                        + app.size() + " held by the application, at " + where());
                assertTrue(listener.synQueueLength() <= BACKLOG && listener.acceptQueueLength() <= BACKLOG,
                        "listener queues " + listener.synQueueLength() + "/" + listener.acceptQueueLength() + " at " + where());
            }
        }

        // ---- sending and watching what comes back ----

        private void inject(byte[] ipPacket) {
            sentThisStep = 0;
            frames++;
            ipFrames++;
            h.injectIp(ipPacket);
            observe();
        }

        /**
         * Reads what the stack sent: every frame must be well formed; ARP requests for the host are answered,
         * so the stack keeps talking; TCP segments tell the peer the stack's sequence numbers.
         */
        private void observe() {
            List<byte[]> out = h.sent();
            while (!out.isEmpty()) {
                boolean arpAnswered = false;
                for (byte[] f : out) {
                    int type = u16(f, 12);
                    if (type == ETH_P_ARP) {
                        if (u16(f, ETH_HLEN + 6) == 1 && i32(f, ETH_HLEN + 24) == HOST_IP) {
                            arpAnswered = true;
                        }
                        continue;
                    }
                    assertEquals(ETH_P_IP, type, "the stack sent EtherType " + type + " at " + where());
                    checkOutgoing(f);
                }
                if (!arpAnswered) {
                    return;
                }
                h.dev.inject(eth(STACK_MAC, HOST_MAC, ETH_P_ARP, arp(2, HOST_MAC, HOST_IP, STACK_MAC, STACK_IP)));
                out = h.sent();
            }
        }

        /** An IPv4 frame the stack sent: header and transport checksums right, length within the MTU. */
        private void checkOutgoing(byte[] f) {
            byte[] p = Arrays.copyOfRange(f, ETH_HLEN, f.length);
            assertTrue(p.length >= 20 && (p[0] & 0xf0) == 0x40, "not an IPv4 header at " + where());
            int ihl = (p[0] & 0x0f) * 4;
            assertTrue(ihl >= 20 && ihl <= p.length, "IHL " + ihl + " at " + where());
            assertEquals(0, checksum(p, 0, ihl), "IP header checksum of a packet sent at " + where());
            assertEquals(p.length, u16(p, 2), "total length of a packet sent at " + where());
            assertTrue(p.length <= MTU, p.length + " bytes sent on a " + MTU + "-byte MTU at " + where());
            recentOut.addLast(p);
            if (recentOut.size() > 64) {
                recentOut.removeFirst();
            }
            if ((u16(p, 6) & 0x3fff) != 0) {
                return; // a fragment carries a piece of a transport header at most
            }
            int proto = u8(p, 9);
            int src = i32(p, 12);
            int dst = i32(p, 16);
            byte[] l4 = Arrays.copyOfRange(p, ihl, p.length);
            if (proto == 6) {
                assertEquals(0, Frames.tcpChecksum(src, dst, l4), "TCP checksum of a segment sent at " + where());
                learnFromSegment(dst, l4);
            } else if (proto == 17) {
                assertTrue(u16(l4, 6) == 0 || Frames.udpChecksum(src, dst, l4) == 0, "UDP checksum at " + where());
            } else if (proto == 1) {
                assertEquals(0, checksum(l4, 0, l4.length), "ICMP checksum at " + where());
            }
        }

        private void learnFromSegment(int dst, byte[] seg) {
            if (dst != HOST_IP) {
                return;
            }
            int stackPort = u16(seg, 0);
            int peerPort = u16(seg, 2);
            int seq = i32(seg, 4);
            int ack = i32(seg, 8);
            int flags = u8(seg, 13);
            int dataLen = seg.length - ((seg[12] & 0xf0) >> 2);
            Conn c = byPorts.get(key(stackPort, peerPort));
            if (c == null && (flags & (SYN | ACK)) == SYN) {
                c = track(new Conn(stackPort, peerPort, true)); // an active open of the application
                c.peerNxt = ~seq; // any ISN, but not drawn from r: what the stack sends must not shift the draws
            }
            if (c == null || (flags & RST) != 0) {
                return;
            }
            if ((flags & SYN) != 0) {
                c.stackIsn = seq;
                c.stackIsnKnown = true;
                c.stackNxt = seq + 1;
            }
            int end = seq + dataLen + ((flags & (SYN | FIN)) != 0 ? 1 : 0);
            if (end - c.stackNxt > 0) {
                c.stackNxt = end;
            }
            if ((flags & ACK) != 0) {
                c.stackAck = ack;
                c.stackAckKnown = true;
            }
        }

        private static int key(int stackPort, int peerPort) {
            return stackPort << 16 | peerPort;
        }

        private Conn track(Conn c) {
            Conn old = byPorts.put(key(c.stackPort, c.peerPort), c);
            if (old != null) {
                conns.remove(old);
            }
            conns.add(c);
            if (conns.size() > 128) {
                Conn gone = conns.remove(0);
                byPorts.remove(key(gone.stackPort, gone.peerPort), gone);
            }
            return c;
        }

        // ---- addresses ----

        /** Mostly the host; now and then a neighbour that never answers ARP, ourselves (LAND), or a martian. */
        private int source() {
            int k = r.nextInt(100);
            if (k < 85) {
                return HOST_IP;
            }
            return switch (k) {
                case 85, 86, 87, 88 -> ip("10.0.0.0") | (3 + r.nextInt(250));
                case 89 -> STACK_IP;
                case 90 -> ip("127.0.0.1");
                case 91 -> 0;
                case 92 -> ip("224.0.0.1");
                case 93 -> -1;
                case 94 -> ip("240.0.0.1");
                case 95 -> SUBNET_BROADCAST;
                case 96 -> ip("192.0.2.7");
                default -> r.nextInt();
            };
        }

        private int destination() {
            int k = r.nextInt(100);
            if (k < 90) {
                return STACK_IP;
            }
            return switch (k) {
                case 90 -> SUBNET_BROADCAST;
                case 91 -> -1;
                case 92 -> ip("224.0.0.1");
                case 93 -> OTHER_HOST;
                case 94 -> ip("127.0.0.1");
                case 95 -> 0;
                case 96 -> ip("192.0.2.1");
                default -> r.nextInt();
            };
        }

        // ---- the IP layer ----

        /**
         * An IPv4 packet around {@code payload} with a right header checksum; with {@code hostile} the header
         * lies: options of every length, flags and offsets, a total length off the frame's, TTL 0, even a
         * wrong version or IHL.
         */
        private void sendIp(int src, int dst, int proto, byte[] payload, boolean hostile) {
            if (!hostile || r.nextInt(100) < 60) {
                inject(ipv4(src, dst, proto, 1 + r.nextInt(255), r.nextInt(65_536), r.nextInt(4) == 0 ? 0x4000 : 0,
                        new byte[0], payload));
                return;
            }
            byte[] options = r.nextInt(3) == 0 ? ipOptions() : new byte[0];
            int frag = r.nextInt(4) == 0 ? 0x4000 : 0;
            if (r.nextInt(10) == 0) {
                frag = r.nextInt(65_536); // MF, DF, the reserved bit and any offset: a stray fragment
            }
            byte[] p = ipv4(src, dst, proto, r.nextInt(256), r.nextInt(65_536), frag, options,
                    Arrays.copyOf(payload, Math.min(payload.length, MTU - 20 - options.length)));
            int ihl = 20 + options.length;
            switch (r.nextInt(14)) {
                case 0 -> { // total length short of the frame: the rest is padding to trim
                    setTotalLength(p, ihl + r.nextInt(p.length - ihl + 1));
                }
                case 1 -> { // total length past the frame
                    setTotalLength(p, p.length + 1 + r.nextInt(1000));
                }
                case 2 -> { // total length inside the header
                    setTotalLength(p, r.nextInt(ihl));
                }
                case 3 -> { // the frame ends inside the header
                    p = Arrays.copyOf(p, r.nextInt(ihl));
                }
                case 4 -> { // not version 4, or an IHL under 5
                    p[0] = (byte) (r.nextBoolean() ? (r.nextInt(16) << 4) | (p[0] & 0x0f) : 0x40 | r.nextInt(5));
                    Frames.refreshIpChecksum(p);
                }
                case 5 -> p[10] ^= (byte) (1 + r.nextInt(255)); // a wrong header checksum, now and then
                case 6 -> { // Ethernet padding after a correct total length
                    p = Arrays.copyOf(p, Math.min(MTU, p.length + 1 + r.nextInt(64)));
                }
                default -> { }
            }
            inject(p);
        }

        private static void setTotalLength(byte[] p, int len) {
            if (p.length >= 4) {
                p[2] = (byte) (len >> 8);
                p[3] = (byte) len;
                Frames.refreshIpChecksum(p);
            }
        }

        /** IP options: well-formed ones (record route, timestamp, source routes, router alert) and broken ones. */
        private byte[] ipOptions() {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            int n = 1 + r.nextInt(4);
            for (int i = 0; i < n; i++) {
                switch (r.nextInt(8)) {
                    case 0 -> o.write(1); // NOP
                    case 1 -> o.write(0); // EOL, with whatever follows it
                    case 2 -> option(o, 7, 3 + 4 * r.nextInt(9), 4); // record route, pointer at the first slot
                    case 3 -> option(o, 68, 4 + 4 * r.nextInt(9), 5); // timestamp
                    case 4 -> option(o, r.nextBoolean() ? 131 : 137, 3 + 4 * r.nextInt(9), 4); // LSRR, SSRR
                    case 5 -> option(o, 148, 4, 0); // router alert
                    case 6 -> { // a length that lies: 0, 1, or past the header
                        o.write(r.nextInt(256));
                        o.write(r.nextInt(3) == 0 ? r.nextInt(2) : r.nextInt(256));
                    }
                    default -> {
                        byte[] junk = new byte[r.nextInt(12)];
                        r.nextBytes(junk);
                        o.writeBytes(junk);
                    }
                }
            }
            return pad4(o.toByteArray(), 40);
        }

        private void option(ByteArrayOutputStream o, int kind, int len, int pointer) {
            o.write(kind);
            o.write(len);
            byte[] body = new byte[Math.max(0, len - 2)];
            r.nextBytes(body);
            if (body.length > 0) {
                body[0] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : pointer);
            }
            o.writeBytes(body);
        }

        /** Pads with NOPs (or junk) to a multiple of four and cuts at {@code max}. */
        private byte[] pad4(byte[] b, int max) {
            int len = Math.min(max, (b.length + 3) & ~3);
            byte[] out = Arrays.copyOf(b, len);
            for (int i = b.length; i < len; i++) {
                out[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 1);
            }
            return out;
        }

        /** An IPv4 header with {@code options} (a multiple of 4) and a right checksum, then the payload. */
        private static byte[] ipv4(int src, int dst, int proto, int ttl, int id, int fragField, byte[] options,
                                   byte[] payload) {
            int ihl = 20 + options.length;
            ByteBuffer b = ByteBuffer.allocate(ihl + payload.length);
            b.put((byte) (0x40 | ihl / 4)).put((byte) 0).putShort((short) (ihl + payload.length)).putShort((short) id)
                    .putShort((short) fragField).put((byte) ttl).put((byte) proto).putShort((short) 0)
                    .putInt(src).putInt(dst).put(options).put(payload);
            byte[] p = b.array();
            Frames.refreshIpChecksum(p);
            return p;
        }

        // ---- TCP ----

        /** A SYN to the listener, then, usually, the ACK that completes the handshake with the stack's ISN. */
        private void synToListener() {
            int peerPort = 1024 + r.nextInt(64_000); // above FRESH_PEER_PORT
            Conn c = track(new Conn(TCP_PORT, peerPort, false));
            int isn = r.nextInt();
            c.peerNxt = isn + 1;
            c.timestamps = r.nextInt(3) != 0;
            c.tsVal = r.nextInt();
            byte[] opts = r.nextInt(4) == 0 ? tcpOptions(c) : synOptions(c);
            boolean completes = r.nextInt(10) < 8;
            sendTcp(HOST_IP, STACK_IP, peerPort, TCP_PORT, isn, 0, SYN, 64_240, opts, new byte[0], true);
            if (c.stackIsnKnown && completes) {
                c.peerAck = c.stackIsn + 1;
                sendTcp(HOST_IP, STACK_IP, peerPort, TCP_PORT, c.peerNxt, c.stackIsn + 1, ACK, 502, tsOption(c),
                        new byte[0], true);
            }
        }

        private byte[] synOptions(Conn c) {
            ByteBuffer b = ByteBuffer.allocate(40);
            b.put((byte) 2).put((byte) 4).putShort((short) (r.nextInt(5) == 0 ? r.nextInt(65_536) : 1460));
            if (c.timestamps) {
                b.put((byte) 4).put((byte) 2).put((byte) 8).put((byte) 10).putInt(c.tsVal).putInt(0);
            } else {
                b.put((byte) 1).put((byte) 1).put((byte) 4).put((byte) 2);
            }
            b.put((byte) 1).put((byte) 3).put((byte) 3).put((byte) (r.nextInt(4) == 0 ? r.nextInt(256) : 7));
            return Arrays.copyOf(b.array(), b.position());
        }

        private byte[] tsOption(Conn c) {
            if (!c.timestamps) {
                return new byte[0];
            }
            c.tsVal += r.nextInt(50);
            return ByteBuffer.allocate(12).put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10).putInt(c.tsVal)
                    .putInt(r.nextInt()).array();
        }

        /** Option bytes as tcp_parse_options meets them from a hostile peer: known kinds at wrong lengths too. */
        private byte[] tcpOptions(Conn c) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            int n = r.nextInt(6);
            for (int i = 0; i < n; i++) {
                switch (r.nextInt(13)) {
                    case 0 -> o.write(1);
                    case 1 -> o.write(0);
                    case 2 -> {
                        o.write(2);
                        o.write(4);
                        int mss = new int[] {0, 1, 8, 88, 536, 1460, 65_535, r.nextInt(65_536)}[r.nextInt(8)];
                        o.write(mss >> 8);
                        o.write(mss);
                    }
                    case 3 -> o.writeBytes(new byte[] {3, 3, (byte) (r.nextInt(3) == 0 ? r.nextInt(256) : r.nextInt(15))});
                    case 4 -> o.writeBytes(new byte[] {4, 2});
                    case 5 -> {
                        o.write(8);
                        o.write(10);
                        int ts = c != null && r.nextBoolean() ? (c.tsVal += r.nextInt(100)) : r.nextInt();
                        o.writeBytes(ByteBuffer.allocate(8).putInt(ts).putInt(r.nextInt()).array());
                    }
                    case 6, 7 -> { // SACK with 0 to 5 blocks, near what the stack sent or anywhere
                        int blocks = r.nextInt(6);
                        o.write(5);
                        o.write(2 + 8 * blocks);
                        int base = c != null && c.stackIsnKnown ? c.stackNxt : r.nextInt();
                        for (int k = 0; k < blocks; k++) {
                            int start = base - r.nextInt(200_000) + r.nextInt(1000);
                            int end = r.nextInt(5) == 0 ? r.nextInt() : start + r.nextInt(70_000) - 1000;
                            o.writeBytes(ByteBuffer.allocate(8).putInt(start).putInt(end).array());
                        }
                    }
                    case 8, 9 -> { // a known kind with the wrong length: 0, 1, short, long, past the header
                        int kind = new int[] {2, 3, 4, 5, 8}[r.nextInt(5)];
                        int len = new int[] {0, 1, 2, 3, 5, 9, 11, 40, 255}[r.nextInt(9)];
                        o.write(kind);
                        o.write(len);
                        byte[] junk = new byte[r.nextInt(12)];
                        r.nextBytes(junk);
                        o.writeBytes(junk);
                    }
                    default -> { // an unknown kind (MD5, Fast Open, MPTCP...) with any length
                        o.write(9 + r.nextInt(247));
                        int len = r.nextInt(4) == 0 ? r.nextInt(256) : 2 + r.nextInt(10);
                        o.write(len);
                        byte[] junk = new byte[Math.max(0, Math.min(len - 2, 38))];
                        r.nextBytes(junk);
                        o.writeBytes(junk);
                    }
                }
            }
            return pad4(o.toByteArray(), 40);
        }

        /** A segment on a connection the peer knows, numbered near what the stack expects, or not. */
        private void tcpOnConnection() {
            if (conns.isEmpty()) {
                synToListener();
                return;
            }
            Conn c = conns.get(r.nextInt(conns.size()));
            if (c.active && !c.stackIsnKnown) {
                return;
            }
            int expected = c.stackAckKnown ? c.stackAck : c.peerNxt;
            int k = r.nextInt(100);
            int seq;
            if (k < 55) {
                seq = expected;
            } else if (k < 70) {
                seq = c.peerNxt;
            } else if (k < 80) {
                seq = expected + 1 + r.nextInt(r.nextBoolean() ? 3000 : 300_000); // ahead: a hole or past the window
            } else if (k < 92) {
                seq = expected - 1 - r.nextInt(r.nextBoolean() ? 3000 : 300_000); // old: a duplicate or ancient
            } else {
                seq = r.nextInt();
            }
            k = r.nextInt(100);
            int ack;
            if (!c.stackIsnKnown || k >= 95) {
                ack = r.nextInt();
            } else if (k < 55) {
                ack = c.stackNxt;
            } else if (k < 75) {
                ack = c.stackNxt - r.nextInt(3000); // a duplicate or partial ACK
            } else if (k < 85) {
                ack = c.stackNxt + 1 + r.nextInt(100_000); // acknowledges what was never sent
            } else {
                ack = c.stackIsn + r.nextInt(2);
            }
            int flags = tcpFlags();
            if (c.active && !c.stackAckKnown && r.nextInt(3) == 0) {
                flags = SYN | ACK; // answers the application's SYN
                ack = c.stackIsn + 1;
            }
            byte[] opts = r.nextInt(5) == 0 ? tcpOptions(c) : tsOption(c);
            int room = MTU - 20 - 20 - opts.length;
            byte[] data = r.nextInt(2) == 0 ? new byte[0] : new byte[r.nextInt(room + 1)];
            r.nextBytes(data);
            if (seq == c.peerNxt) {
                c.peerNxt += data.length + ((flags & (SYN | FIN)) != 0 ? 1 : 0);
            }
            int window = switch (r.nextInt(6)) {
                case 0 -> 0;
                case 1 -> r.nextInt(65_536);
                case 2 -> 1 + r.nextInt(600);
                default -> 65_535;
            };
            boolean hostileIp = r.nextInt(8) == 0;
            if ((flags & ACK) != 0 && c.stackIsnKnown && ack - c.stackIsn > 0 && c.stackNxt - ack >= 0) {
                c.peerAck = ack;
            }
            sendTcpHeader(HOST_IP, STACK_IP, c.peerPort, c.stackPort, seq, ack, flags, window, opts, data,
                    r.nextInt(40) != 0, hostileIp);
        }

        /**
         * Duplicate ACKs in a row, each SACKing pieces of what the stack has in flight (or blocks that lie:
         * reversed, beyond what was sent, below the ACK), to drive fast retransmit, SACK recovery and the
         * scoreboard.
         */
        private void sackBurst() {
            if (conns.isEmpty()) {
                return;
            }
            Conn c = conns.get(r.nextInt(conns.size()));
            int n = 3 + r.nextInt(4);
            int ack = c.peerAck;
            int inFlight = Math.max(1, c.stackNxt - ack);
            for (int i = 0; i < n; i++) {
                int blocks = 1 + r.nextInt(3);
                ByteBuffer b = ByteBuffer.allocate(4 + 8 * blocks);
                b.put((byte) 1).put((byte) 1).put((byte) 5).put((byte) (2 + 8 * blocks));
                for (int k = 0; k < blocks; k++) {
                    int start = ack + r.nextInt(inFlight);
                    int end = start + 1 + r.nextInt(Math.max(1, c.stackNxt - start));
                    if (r.nextInt(10) == 0) {
                        int t = start;
                        start = end;
                        end = t;
                    } else if (r.nextInt(10) == 0) {
                        start -= r.nextInt(100_000);
                    } else if (r.nextInt(10) == 0) {
                        end += r.nextInt(100_000);
                    }
                    b.putInt(start).putInt(end);
                }
                byte[] opts = c.timestamps && blocks < 3 ? concat(tsOption(c), b.array()) : b.array();
                int seq = c.stackAckKnown ? c.stackAck : c.peerNxt;
                sendTcp(HOST_IP, STACK_IP, c.peerPort, c.stackPort, seq, ack, ACK, 65_535, opts, new byte[0], true);
            }
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] out = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, out, a.length, b.length);
            return out;
        }

        private int tcpFlags() {
            int k = r.nextInt(100);
            if (k < 35) {
                return ACK;
            } else if (k < 58) {
                return ACK | PSH;
            } else if (k < 66) {
                return FIN | ACK;
            } else if (k < 70) {
                return RST;
            } else if (k < 73) {
                return RST | ACK;
            } else if (k < 77) {
                return SYN;
            } else if (k < 80) {
                return SYN | ACK;
            } else if (k < 84) {
                return URG | ACK | (r.nextBoolean() ? PSH : 0);
            } else if (k < 87) {
                return 0;
            } else if (k < 89) {
                return SYN | FIN | RST | PSH | ACK | URG; // the Christmas tree
            }
            return r.nextInt(256);
        }

        /** TCP to the listener, to a port nobody listens on, or from anywhere: random in every field. */
        private void tcpAnywhere() {
            if (r.nextInt(50) == 0) { // LAND: a SYN from the stack's own address and port to itself
                sendTcp(STACK_IP, STACK_IP, TCP_PORT, TCP_PORT, r.nextInt(), 0, SYN, 65_535, new byte[0], new byte[0], true);
                return;
            }
            int src = source();
            int dst = destination();
            int dport = switch (r.nextInt(4)) {
                case 0 -> TCP_PORT;
                case 1 -> UDP_PORT;
                default -> r.nextInt(65_536);
            };
            byte[] opts = tcpOptions(null);
            byte[] data = new byte[r.nextInt(3) == 0 ? r.nextInt(MTU - 80) : 0];
            r.nextBytes(data);
            sendTcpHeader(src, dst, peerPort(), dport, r.nextInt(), r.nextInt(), tcpFlags(), r.nextInt(65_536),
                    opts, data, r.nextInt(10) != 0, true);
        }

        /** Any TCP port of the host's but the one kept for the handshake after the fuzz. */
        private int peerPort() {
            int p = r.nextInt(65_536);
            return p == FRESH_PEER_PORT ? p + 1 : p;
        }

        private void sendTcp(int src, int dst, int sport, int dport, int seq, int ack, int flags, int window,
                             byte[] opts, byte[] data, boolean goodChecksum) {
            sendTcpHeader(src, dst, sport, dport, seq, ack, flags, window, opts, data, goodChecksum, false);
        }

        private void sendTcpHeader(int src, int dst, int sport, int dport, int seq, int ack, int flags, int window,
                                   byte[] opts, byte[] data, boolean goodChecksum, boolean hostileIp) {
            sendIp(src, dst, 6, tcpSegment(src, dst, sport, dport, seq, ack, flags, window, opts, data, goodChecksum),
                    hostileIp);
        }

        /**
         * A TCP segment with its checksum over the pseudo-header; now and then a data offset that lies (under
         * 5, or past the segment) or an urgent pointer anywhere.
         */
        private byte[] tcpSegment(int src, int dst, int sport, int dport, int seq, int ack, int flags, int window,
                                  byte[] opts, byte[] data, boolean goodChecksum) {
            int hl = 20 + opts.length;
            int doff = hl / 4;
            if (r.nextInt(30) == 0) {
                doff = r.nextInt(16);
            }
            ByteBuffer b = ByteBuffer.allocate(hl + data.length);
            b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack).put((byte) (doff << 4))
                    .put((byte) flags).putShort((short) window).putShort((short) 0)
                    .putShort((short) ((flags & URG) != 0 ? r.nextInt(65_536) : 0)).put(opts).put(data);
            byte[] seg = b.array();
            int c = Frames.tcpChecksum(src, dst, seg);
            if (!goodChecksum) {
                c ^= 1 + r.nextInt(0xfffe);
            }
            seg[16] = (byte) (c >> 8);
            seg[17] = (byte) c;
            return seg;
        }

        // ---- UDP ----

        /** UDP to the bound socket, the connected one, or nobody, with lengths and checksums that lie. */
        private void udp() {
            int src = r.nextInt(5) == 0 ? source() : HOST_IP;
            int dst = r.nextInt(5) == 0 ? destination() : STACK_IP;
            int sport = r.nextInt(65_536);
            int dport = switch (r.nextInt(4)) {
                case 0 -> {
                    sport = UDP_PEER_PORT;
                    yield udpConnected.localPort();
                }
                case 1 -> r.nextInt(65_536);
                default -> UDP_PORT;
            };
            byte[] data = new byte[r.nextInt(4) == 0 ? r.nextInt(MTU - 28) : r.nextInt(64)];
            r.nextBytes(data);
            sendIp(src, dst, 17, udpDatagram(src, dst, sport, dport, data), r.nextInt(5) == 0);
        }

        private byte[] udpDatagram(int src, int dst, int sport, int dport, byte[] data) {
            byte[] d = ByteBuffer.allocate(8 + data.length).putShort((short) sport).putShort((short) dport)
                    .putShort((short) (8 + data.length)).putShort((short) 0).put(data).array();
            switch (r.nextInt(10)) {
                case 0 -> { // a length that lies: under the header, short of the payload, or past it
                    int len = switch (r.nextInt(3)) {
                        case 0 -> r.nextInt(8);
                        case 1 -> 8 + r.nextInt(data.length + 1);
                        default -> d.length + 1 + r.nextInt(2000);
                    };
                    d[4] = (byte) (len >> 8);
                    d[5] = (byte) len;
                    if (r.nextBoolean()) {
                        return d; // no checksum
                    }
                }
                case 1 -> {
                    return d; // checksum 0: none, which IPv4 allows
                }
                default -> { }
            }
            int c = Frames.udpChecksum(src, dst, d);
            c = c == 0 ? 0xffff : c;
            if (r.nextInt(15) == 0) {
                c ^= 1 + r.nextInt(0xfffe);
            }
            d[6] = (byte) (c >> 8);
            d[7] = (byte) c;
            return d;
        }

        // ---- ICMP ----

        private byte[] icmp(int type, int code, int rest, byte[] body, boolean goodChecksum) {
            byte[] m = ByteBuffer.allocate(8 + body.length).put((byte) type).put((byte) code).putShort((short) 0)
                    .putInt(rest).put(body).array();
            int c = checksum(m, 0, m.length);
            if (!goodChecksum) {
                c ^= 1 + r.nextInt(0xfffe);
            }
            m[2] = (byte) (c >> 8);
            m[3] = (byte) c;
            return m;
        }

        private void icmpEcho() {
            byte[] data = new byte[r.nextInt(4) == 0 ? r.nextInt(MTU - 28 + 1) : r.nextInt(64)];
            r.nextBytes(data);
            int code = r.nextInt(10) == 0 ? r.nextInt(256) : 0;
            int dst = r.nextInt(6) == 0 ? destination() : r.nextInt(20) == 0 ? SUBNET_BROADCAST : STACK_IP; // smurf
            sendIp(r.nextInt(6) == 0 ? source() : HOST_IP, dst, 1,
                    icmp(8, code, r.nextInt(), data, r.nextInt(20) != 0), r.nextInt(5) == 0);
        }

        private void icmpAnyType() {
            byte[] body = new byte[r.nextInt(3) == 0 ? 0 : r.nextInt(200)];
            r.nextBytes(body);
            byte[] m = icmp(r.nextInt(256), r.nextInt(256), r.nextInt(), body, r.nextInt(10) != 0);
            if (r.nextInt(8) == 0) {
                m = Arrays.copyOf(m, r.nextInt(8)); // shorter than an ICMP header
            }
            sendIp(HOST_IP, r.nextInt(8) == 0 ? destination() : STACK_IP, 1, m, r.nextInt(5) == 0);
        }

        /**
         * An ICMP error (unreachable with every code and any MTU, time exceeded, redirect, source quench,
         * parameter problem) quoting a packet the stack really sent, a header made up around a connection's
         * ports, or junk; the quote cut anywhere, down to less than the IP header.
         */
        private void icmpError() {
            int type = new int[] {3, 3, 3, 11, 5, 4, 12}[r.nextInt(7)];
            int code = switch (type) {
                case 3 -> r.nextInt(3) == 0 ? 4 : r.nextInt(16);
                case 11 -> r.nextInt(2);
                case 5 -> r.nextInt(4);
                default -> 0;
            };
            if (r.nextInt(15) == 0) {
                code = r.nextInt(256);
            }
            int rest = switch (type) {
                case 3 -> code == 4 ? new int[] {0, 1, 8, 67, 68, 296, 576, 1280, MTU, 65_535, r.nextInt(65_536)}[r.nextInt(11)]
                        : 0;
                case 5 -> r.nextBoolean() ? HOST_IP : r.nextInt(); // the gateway to use instead
                case 12 -> r.nextInt(256) << 24; // the pointer
                default -> r.nextInt(10) == 0 ? r.nextInt() : 0;
            };
            byte[] quote;
            int k = r.nextInt(10);
            if (k < 5 && !recentOut.isEmpty()) {
                quote = new ArrayList<>(recentOut).get(r.nextInt(recentOut.size()));
            } else if (k < 9) {
                quote = madeUpQuote();
            } else {
                quote = new byte[r.nextInt(100)];
                r.nextBytes(quote);
            }
            quote = cutQuote(quote);
            sendIp(r.nextInt(5) == 0 ? source() : HOST_IP, STACK_IP, 1, icmp(type, code, rest, quote, r.nextInt(20) != 0),
                    r.nextInt(6) == 0);
        }

        private byte[] cutQuote(byte[] q) {
            int ihl = q.length > 0 ? (q[0] & 0x0f) * 4 : 0;
            int len = switch (r.nextInt(6)) {
                case 0 -> q.length;
                case 1 -> ihl + 8; // what RFC 792 promises
                case 2 -> ihl + r.nextInt(8); // the ports cut short
                case 3 -> r.nextInt(ihl + 1); // inside the quoted IP header
                case 4 -> r.nextInt(q.length + 1);
                default -> Math.min(q.length, 548);
            };
            return Arrays.copyOf(q, Math.min(len, MTU - 60 - 8));
        }

        /** An IP header the stack might have sent, around the ports of a known connection or socket, or not. */
        private byte[] madeUpQuote() {
            int proto;
            int sport;
            int dport;
            int seq = r.nextInt();
            int k = r.nextInt(5);
            if (k < 2 && !conns.isEmpty()) {
                Conn c = conns.get(r.nextInt(conns.size()));
                proto = 6;
                sport = c.stackPort;
                dport = c.peerPort;
                if (c.stackIsnKnown) {
                    seq = c.stackNxt - r.nextInt(2000);
                }
            } else if (k == 2) {
                proto = 17;
                sport = udpConnected.localPort();
                dport = UDP_PEER_PORT;
            } else {
                proto = new int[] {1, 6, 17, r.nextInt(256)}[r.nextInt(4)];
                sport = r.nextInt(65_536);
                dport = r.nextInt(65_536);
            }
            byte[] l4 = ByteBuffer.allocate(20).putShort((short) sport).putShort((short) dport).putInt(seq)
                    .putInt(r.nextInt()).putInt(r.nextInt()).putInt(r.nextInt()).array();
            byte[] options = r.nextInt(4) == 0 ? ipOptions() : new byte[0];
            int src = r.nextInt(6) == 0 ? r.nextInt() : STACK_IP;
            int dst = r.nextInt(6) == 0 ? r.nextInt() : HOST_IP;
            byte[] p = ipv4(src, dst, proto, r.nextInt(256), r.nextInt(65_536), r.nextInt(5) == 0 ? r.nextInt(65_536) : 0x4000,
                    options, l4);
            if (r.nextInt(5) == 0) {
                setTotalLength(p, r.nextInt(65_536));
            }
            if (r.nextInt(8) == 0) {
                p[0] = (byte) r.nextInt(256); // any version and IHL
            }
            return p;
        }

        // ---- fragments ----

        /**
         * A datagram (echo request, UDP to the bound socket, TCP on a connection) cut into fragments sent in
         * order, shuffled, duplicated, overlapping, with one missing (so it times out), with a tiny or ragged
         * piece, with a last fragment that disagrees, or reaching past 65535 bytes.
         */
        private void fragments() {
            int src = r.nextInt(10) == 0 ? source() : HOST_IP;
            int dst = r.nextInt(10) == 0 ? destination() : STACK_IP;
            int size = switch (r.nextInt(10)) {
                case 0 -> 65_000 + r.nextInt(600); // around the largest datagram
                case 1, 2, 3 -> r.nextInt(100);
                default -> 1000 + r.nextInt(8000);
            };
            int proto;
            byte[] datagram;
            byte[] data = new byte[size];
            r.nextBytes(data);
            switch (r.nextInt(3)) {
                case 0 -> {
                    proto = 1;
                    datagram = icmp(8, 0, r.nextInt(), data, r.nextInt(10) != 0);
                }
                case 1 -> {
                    proto = 17;
                    datagram = udpDatagram(src, dst, r.nextInt(65_536), r.nextBoolean() ? UDP_PORT : r.nextInt(65_536),
                            Arrays.copyOf(data, Math.min(size, 65_000)));
                }
                default -> {
                    proto = 6;
                    Conn c = conns.isEmpty() ? null : conns.get(r.nextInt(conns.size()));
                    int seq = c == null ? r.nextInt() : c.stackAckKnown ? c.stackAck : c.peerNxt;
                    int ack = c == null || !c.stackIsnKnown ? r.nextInt() : c.stackNxt;
                    datagram = tcpSegment(src, dst, c == null ? peerPort() : c.peerPort,
                            c == null ? TCP_PORT : c.stackPort, seq, ack, ACK | PSH, 65_535,
                            c == null ? new byte[0] : tsOption(c), Arrays.copyOf(data, Math.min(size, 65_000)), true);
                }
            }
            int id = r.nextInt(65_536);
            byte[] options = r.nextInt(6) == 0 ? ipOptions() : new byte[0];
            int ihl = 20 + options.length;
            int maxChunk = (MTU - ihl) & ~7;
            int chunk = r.nextInt(6) == 0 ? 8 * (1 + r.nextInt(4)) : 8 * (1 + r.nextInt(maxChunk / 8));
            if (datagram.length / chunk > 200) {
                chunk = maxChunk; // keep the frame count of one datagram sane
            }
            List<int[]> pieces = new ArrayList<>();
            for (int off = 0; off < datagram.length; off += chunk) {
                pieces.add(new int[] {off, Math.min(datagram.length, off + chunk)});
            }
            if (pieces.isEmpty()) {
                pieces.add(new int[] {0, 0});
            }
            int total = datagram.length;
            switch (r.nextInt(11)) {
                case 0 -> Collections.shuffle(pieces, r);
                case 1 -> Collections.reverse(pieces);
                case 2 -> pieces.add(r.nextInt(pieces.size() + 1), pieces.get(r.nextInt(pieces.size())).clone()); // a duplicate
                case 3 -> { // one overlapping its neighbours with different bounds
                    int[] p = pieces.get(r.nextInt(pieces.size())).clone();
                    p[0] = Math.max(0, p[0] - 8 * (1 + r.nextInt(4)));
                    pieces.add(r.nextInt(pieces.size() + 1), p);
                }
                case 4 -> pieces.remove(r.nextInt(pieces.size())); // never completes: the timer has it
                case 5 -> { // a second last fragment that ends elsewhere
                    int end = 8 * r.nextInt(total / 8 + 2);
                    pieces.add(r.nextInt(pieces.size() + 1), new int[] {Math.max(0, end - 8), end, 1});
                }
                case 6 -> pieces.add(new int[] {65_528, 65_528 + 8 + 8 * r.nextInt(180), 1}); // past 65535 bytes
                case 7 -> pieces.add(r.nextInt(pieces.size() + 1), new int[] {8 * r.nextInt(total / 8 + 1),
                        8 * r.nextInt(total / 8 + 1) + r.nextInt(8), 2}); // ragged, MF set
                case 8 -> pieces.add(new int[] {8 * r.nextInt(total / 8 + 1), 8 * r.nextInt(total / 8 + 1), 2}); // empty
                default -> { }
            }
            for (int[] p : pieces) {
                int start = p[0];
                int end = Math.max(start, p[1]);
                boolean last = p.length > 2 ? p[2] == 1 : end >= total;
                byte[] payload = new byte[Math.min(end - start, maxChunk)];
                if (start < total) {
                    System.arraycopy(datagram, start, payload, 0, Math.min(payload.length, total - start));
                }
                int field = ((start >> 3) & 0x1fff) | (last ? 0 : 0x2000) | (r.nextInt(20) == 0 ? 0x4000 : 0);
                byte[] frag = ipv4(src, dst, r.nextInt(30) == 0 ? r.nextInt(256) : proto, 1 + r.nextInt(255), id, field,
                        options, payload);
                inject(frag);
            }
        }

        private void otherProtocol() {
            int proto = r.nextInt(256);
            byte[] payload = new byte[r.nextInt(300)];
            r.nextBytes(payload);
            sendIp(r.nextInt(5) == 0 ? source() : HOST_IP, r.nextInt(5) == 0 ? destination() : STACK_IP, proto, payload,
                    r.nextInt(3) == 0);
        }

        // ---- the application on the stack, and time ----

        private void application() {
            TcpSocket s;
            while ((s = listener.tryAccept()) != null) {
                app.add(s);
                if (r.nextInt(4) == 0) {
                    s.setKeepAlive(new Keepalive(1_000 + r.nextInt(60_000), 1_000 + r.nextInt(10_000), 1 + r.nextInt(5)));
                }
            }
            pruneApp();
            if (!app.isEmpty()) {
                TcpSocket a = app.get(r.nextInt(app.size()));
                try {
                    switch (r.nextInt(8)) {
                        case 0, 1, 2 -> {
                            while (a.tryRead(readBuf, 0, readBuf.length) > 0) {
                                // drain what arrived
                            }
                        }
                        case 3, 4 -> {
                            byte[] data = new byte[1 + r.nextInt(r.nextBoolean() ? 100 : 40_000)];
                            r.nextBytes(data);
                            a.tryWrite(data, 0, data.length);
                        }
                        case 5 -> a.shutdownOutput();
                        default -> a.close();
                    }
                } catch (IOException e) {
                    // a reset or closed connection is what the application expects to hear of here
                }
            }
            long active = app.stream().filter(t -> t.localPort() != TCP_PORT).count();
            if (active < 3 && r.nextInt(6) == 0) {
                try {
                    app.add(h.stack.tcp().connect(HOST_IP, 20_000 + r.nextInt(1000)));
                } catch (IOException e) {
                    throw new AssertionError("connect failed at " + where(), e);
                }
            }
            try {
                if (r.nextBoolean()) {
                    while (udpBound.poll() != null) {
                        // drain
                    }
                }
                if (r.nextBoolean()) {
                    byte[] d = new byte[r.nextInt(100)];
                    udpConnected.send(d, 0, d.length);
                }
                udpConnected.poll();
            } catch (IOException e) {
                // an ICMP error the hostile peer sent about our datagrams (ECONNREFUSED): reported once
            }
            observe();
        }

        private void pruneApp() {
            app.removeIf(t -> t.info().state() == TcpState.CLOSED);
        }

        private void tick() {
            int k = r.nextInt(100);
            long ms;
            if (k < 50) {
                ms = r.nextInt(50);
            } else if (k < 80) {
                ms = r.nextInt(1000);
            } else if (k < 95) {
                ms = 1000 + r.nextInt(10_000);
            } else {
                ms = 30_000 + r.nextInt(40_000); // past ipfrag_time, past TIME_WAIT
            }
            h.clock.advanceMillis(ms);
            sentThisStep = 0;
            h.stack.runTimers();
            observe();
        }

        // ---- afterwards ----

        /** After all that, a ping is answered, a handshake completes, and a datagram reaches its socket. */
        void stillServes() throws IOException {
            current = "after the fuzz";
            h.hostArps();
            h.sent();
            h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 4242, 0, new byte[0], icmp(8, 0, 0x7777_0001, new byte[32], true)));
            List<byte[]> replies = h.sent();
            assertTrue(replies.stream().anyMatch(f -> f.length >= 42 && u16(f, 12) == ETH_P_IP && u8(f, 23) == 1
                            && u8(f, 34) == 0 && i32(f, 38) == 0x7777_0001),
                    "the stack answers a ping after the fuzz, " + where());

            for (TcpSocket a = listener.tryAccept(); a != null; a = listener.tryAccept()) {
                app.add(a); // the application takes what queued up, so the listener has room
            }
            int peerPort = FRESH_PEER_PORT;
            h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0, new byte[0],
                    tcpSegmentClean(peerPort, 5000, 0, SYN)));
            byte[] synAck = lastTcp(h.sent(), peerPort);
            assertNotNull(synAck, "a SYN-ACK to a fresh SYN after the fuzz, " + where());
            assertEquals(SYN | ACK, u8(synAck, 13) & (SYN | ACK | RST | FIN), "flags of the answer, " + where());
            assertEquals(5001, i32(synAck, 8), "the SYN-ACK acknowledges the SYN, " + where());
            h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 2, 0, new byte[0],
                    tcpSegmentClean(peerPort, 5001, i32(synAck, 4) + 1, ACK)));
            h.sent();
            TcpSocket s = listener.tryAccept();
            assertNotNull(s, "the fresh handshake reached the accept queue, " + where());
            assertEquals(TcpState.ESTABLISHED, s.info().state(), where());
            app.add(s);

            h.injectIp(ipv4(HOST_IP, STACK_IP, 17, 64, 3, 0, new byte[0],
                    Frames.udp(HOST_IP, STACK_IP, 4000, UDP_PORT, "still here".getBytes())));
            boolean heard = false;
            for (var d = udpBound.poll(); d != null; d = udpBound.poll()) {
                heard |= Arrays.equals("still here".getBytes(), d.data());
            }
            assertTrue(heard, "a datagram reaches the bound socket after the fuzz, " + where());
        }

        private static byte[] tcpSegmentClean(int sport, int seq, int ack, int flags) {
            byte[] seg = ByteBuffer.allocate(20).putShort((short) sport).putShort((short) TCP_PORT).putInt(seq)
                    .putInt(ack).put((byte) 0x50).put((byte) flags).putShort((short) 64_240).putInt(0).array();
            int c = Frames.tcpChecksum(HOST_IP, STACK_IP, seg);
            seg[16] = (byte) (c >> 8);
            seg[17] = (byte) c;
            return seg;
        }

        /** The last TCP segment (from its TCP header) sent to {@code peerPort} of the host. */
        private static byte[] lastTcp(List<byte[]> frames, int peerPort) {
            byte[] found = null;
            for (byte[] f : frames) {
                if (u16(f, 12) == ETH_P_IP && u8(f, 23) == 6 && i32(f, 30) == HOST_IP) {
                    int ihl = (f[14] & 0x0f) * 4;
                    byte[] seg = Arrays.copyOfRange(f, ETH_HLEN + ihl, f.length);
                    if (u16(seg, 2) == peerPort) {
                        found = seg;
                    }
                }
            }
            return found;
        }

        /**
         * The application closes everything and the peer goes silent: once enough time has passed (every
         * retransmission given up, TIME_WAIT over, reassembly expired, neighbours failed) nothing is held.
         */
        void settle() {
            current = "settling";
            for (TcpSocket s = listener.tryAccept(); s != null; s = listener.tryAccept()) {
                app.add(s);
            }
            for (TcpSocket s : app) {
                s.close();
            }
            listener.close();
            udpBound.close();
            udpConnected.close();
            for (int i = 0; i < 4 * 60 * 3; i++) { // three hours in 15-second steps
                h.clock.advanceMillis(15_000);
                sentThisStep = 0;
                h.stack.runTimers();
                h.sent(); // the peer hears nothing and says nothing
            }
            List<TcpSocket> left = h.stack.tcp().connections();
            assertTrue(left.isEmpty(), left.size() + " connections outlived three silent hours: "
                    + left.stream().map(t -> t.remotePort() + " " + t.info()).toList() + ", " + where());
            assertEquals(0, h.stack.tcp().currEstab(), where());
            assertEquals(0, h.stack.reassembler().memory(), "reassembly memory after ipfrag_time, " + where());
            assertEquals(0, h.stack.reassembler().queueCount(), where());
            assertEquals(0, h.pool.outstanding(), "packet buffers still held after everything died away, " + where());
        }

        /** The malformed traffic is counted under its reasons, and the L4 paths were really reached. */
        void everythingWasCounted() {
            Map<DropReason, Long> drops = h.stack.drops().snapshot();
            String all = "seed " + SEED + ", drops " + drops + ", counters " + h.stack.stats().flat();
            for (DropReason reason : List.of(DropReason.IP_INHDR, DropReason.IP_CSUM, DropReason.IP_TRUNCATED,
                    DropReason.IP_INVALID_SOURCE, DropReason.IP_INVALID_DEST, DropReason.IP_INADDRERRORS,
                    DropReason.IP_NOPROTO, DropReason.FRAG_OVERLAP, DropReason.DUP_FRAG, DropReason.FRAG_REASM_FAIL,
                    DropReason.FRAG_REASM_TIMEOUT, DropReason.TCP_HDR, DropReason.TCP_CSUM, DropReason.NO_SOCKET,
                    DropReason.UDP_LEN, DropReason.UDP_CSUM, DropReason.ICMP_CSUM, DropReason.ICMP_IGNORED,
                    DropReason.UNHANDLED_PROTO, DropReason.PKT_TOO_SMALL)) {
                assertTrue(drops.getOrDefault(reason, 0L) > 0, reason + " never counted: " + all);
            }
            for (Mib m : List.of(Mib.IpReasmOKs, Mib.IpReasmTimeout, Mib.IpExtReasmOverlaps, Mib.TcpPassiveOpens,
                    Mib.TcpActiveOpens, Mib.TcpEstabResets, Mib.TcpRetransSegs, Mib.TcpExtTCPChallengeACK,
                    Mib.TcpExtTCPSYNChallenge, Mib.TcpExtSyncookiesSent, Mib.UdpInDatagrams, Mib.UdpNoPorts,
                    Mib.IcmpInEchos, Mib.IcmpInDestUnreachs, Mib.IcmpInTimeExcds, Mib.IcmpInRedirects,
                    Mib.IcmpInParmProbs, Mib.IcmpInSrcQuenchs, Mib.IcmpOutDestUnreachs, Mib.IpFragCreates)) {
                assertTrue(h.stack.mib().get(m) > 0, m + " never counted: " + all);
            }
            // every frame reached ip_rcv, and what was neither delivered nor taken in by reassembly was dropped
            // with a reason
            long received = h.stack.mib().get(Mib.IpInReceives);
            assertTrue(received >= ipFrames, received + " IpInReceives for " + ipFrames + " frames: " + all);
            long dropped = drops.values().stream().mapToLong(Long::longValue).sum();
            long taken = h.stack.mib().get(Mib.IpInDelivers) + h.stack.mib().get(Mib.IpReasmReqds);
            assertTrue(dropped >= received - taken, dropped + " drops for " + received + " received and " + taken
                    + " delivered or reassembled: " + all);
        }
    }
}
