package io.ustack.core.icmp;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketBuffer.PacketType;
import io.ustack.core.ipv4.IpOptions;
import io.ustack.core.ipv4.Ipv4Output;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Fib;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.Checksum;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;

/**
 * Sends ICMP messages: icmp_send for errors about a packet, and icmp_reply for echo and timestamp replies.
 */
public final class IcmpSender {
    /** RFC 1812's limit on an ICMP error: 576 bytes in all. */
    private static final int MAX_ERROR_LEN = 576;
    /** IPTOS_PREC_INTERNETCONTROL, which errors carry (with the offending packet's TOS bits). */
    private static final int TOS_INTERNETCONTROL = 0xc0;
    private static final int IPTOS_TOS_MASK = 0x1e;
    /** A timestamp message: the header, then the originate, receive and transmit times (RFC 792). */
    public static final int TIMESTAMP_LEN = IcmpPacket.HEADER_LEN + 12;
    private static final long MS_PER_DAY = 86_400_000L;

    private final BufferPool pool;
    private final Ipv4Output out;
    private final Fib fib;
    private final MibCounters mib;
    private final IcmpRateLimiter limiter;
    private final Clock clock;

    public IcmpSender(BufferPool pool, Ipv4Output out, Fib fib, MibCounters mib, IcmpRateLimiter limiter, Clock clock) {
        this.pool = pool;
        this.out = out;
        this.fib = fib;
        this.mib = mib;
        this.limiter = limiter;
        this.clock = clock;
    }

    /**
     * icmp_send: an error of {@code type}/{@code code} about {@code offending}, whose network header must be
     * set; {@code info} is the rest-of-header word (the next-hop MTU for "fragmentation needed"). Borrows.
     * Sends nothing, as the kernel does, about a packet that was not addressed to one host (link or IP
     * broadcast or multicast), about a fragment that is not the first, about an ICMP error, about a packet
     * from an address no reply can go to, or when the rate limits say no.
     */
    public void send(PacketBuffer offending, int type, int code, int info) {
        Ipv4Packet ip = Ipv4Packet.wrap(offending, offending.networkHeader());
        if (ip == null || offending.networkHeader() + ip.headerLength() > offending.tail()) {
            return;
        }
        if (offending.pktType() != PacketType.HOST) {
            return;
        }
        DstEntry dst = offending.dst();
        if (dst != null && (dst.type() == DstEntry.Type.BROADCAST || dst.type() == DstEntry.Type.MULTICAST)) {
            return;
        }
        if (ip.fragmentOffset() != 0 || isError(offending, ip)) {
            return;
        }
        int saddr = ip.saddr();
        if (Ipv4Address.isZeronet(saddr) || Ipv4Address.isMulticast(saddr) || saddr == Ipv4Address.BROADCAST) {
            return;
        }
        boolean loopback = offending.dev() != null && offending.dev().isLoopback();
        if (!limiter.allow(type, code, saddr, loopback)) {
            return;
        }
        int source = fib.isLocal(ip.daddr()) ? ip.daddr() : 0;
        // __ip_options_echo: the error carries back the offending packet's options; if they cannot be
        // echoed, no error is sent
        byte[] options = null;
        int optLen = 0;
        if (offending.ipOptions() != 0) {
            options = new byte[IpOptions.MAX_LEN];
            optLen = IpOptions.echo(offending, ip.offset(), offending.ipOptions(),
                    source != 0 ? source : out.sourceFor(saddr), timeOfDay(), options);
            if (optLen < 0) {
                return;
            }
        }
        int available = Math.min(ip.totalLength(), offending.tail() - ip.offset());
        int quote = Math.min(available, MAX_ERROR_LEN - Ipv4Packet.MIN_HEADER_LEN - optLen - IcmpPacket.HEADER_LEN);
        PacketBuffer pkt = pool.allocateWithHeadroom(IcmpPacket.HEADER_LEN + quote);
        int at = pkt.put(IcmpPacket.HEADER_LEN + quote);
        pkt.copyFrom(offending, ip.offset(), at + IcmpPacket.HEADER_LEN, quote);
        IcmpPacket icmp = IcmpPacket.wrap(pkt, at);
        icmp.setType(type);
        icmp.setCode(code);
        icmp.setRestOfHeader(info);
        icmp.updateChecksum(pkt.len());
        int tos = (ip.tos() & IPTOS_TOS_MASK) | TOS_INTERNETCONTROL;
        countOut(type);
        out.sendWithOptions(pkt, source, saddr, Ipv4Packet.IPPROTO_ICMP, tos, Ipv4Packet.DEFAULT_TTL, false, options, optLen);
    }

    /**
     * icmp_echo and icmp_reply: turns an echo request into its reply in the same buffer (type and checksum
     * patched, addresses swapped by a fresh IP header) and sends it. Takes ownership; data at the ICMP header,
     * network header set.
     */
    public void echoReply(PacketBuffer pkt) {
        Ipv4Packet req = Ipv4Packet.wrap(pkt, pkt.networkHeader());
        int replyTo = req.saddr();
        int from = req.daddr();
        int tos = req.tos();
        // icmp_reply: ip_options_echo gives the reply the request's options back; if it cannot, no reply
        byte[] options = null;
        int optLen = 0;
        if (pkt.ipOptions() != 0) {
            options = new byte[IpOptions.MAX_LEN];
            optLen = IpOptions.echo(pkt, req.offset(), pkt.ipOptions(), from, timeOfDay(), options);
            if (optLen < 0) {
                pkt.release();
                return;
            }
        }
        IcmpPacket icmp = IcmpPacket.wrap(pkt, pkt.data());
        // icmp_echo: the reply is the request's header with the type changed; the code goes back as it came
        int before = (icmp.type() << 8) | icmp.code();
        icmp.setType(IcmpPacket.ECHOREPLY);
        pkt.setU16(icmp.offset() + 2, Checksum.replace16(icmp.checksum(), before, icmp.code()));
        pkt.nfResetCt(); // the request's connection entry belongs to the request; conntrack classifies the reply anew
        pkt.setIpOptions(0);
        countOut(IcmpPacket.ECHOREPLY);
        out.sendWithOptions(pkt, from, replyTo, Ipv4Packet.IPPROTO_ICMP, tos, Ipv4Packet.DEFAULT_TTL, false, options, optLen);
    }

    /**
     * icmp_timestamp: the reply to a timestamp request, which must hold at least the originate time. It
     * carries that time back with the receive and transmit times, both now in milliseconds since midnight
     * UT, and nothing else of the request, as Linux's does. Consumes {@code req}; data at its ICMP header,
     * network header set.
     */
    public void timestampReply(PacketBuffer req) {
        Ipv4Packet ip = Ipv4Packet.wrap(req, req.networkHeader());
        IcmpPacket request = IcmpPacket.wrap(req, req.data());
        PacketBuffer pkt = pool.allocateWithHeadroom(TIMESTAMP_LEN);
        int at = pkt.put(TIMESTAMP_LEN);
        IcmpPacket icmp = IcmpPacket.wrap(pkt, at);
        icmp.setType(IcmpPacket.TIMESTAMPREPLY);
        icmp.setCode(0);
        icmp.setRestOfHeader(request.restOfHeader()); // the identifier and sequence number
        int now = (int) Math.floorMod(clock.wallMillis(), MS_PER_DAY);
        pkt.setI32(at + IcmpPacket.HEADER_LEN, req.i32(request.offset() + IcmpPacket.HEADER_LEN));
        pkt.setI32(at + IcmpPacket.HEADER_LEN + 4, now);
        pkt.setI32(at + IcmpPacket.HEADER_LEN + 8, now);
        icmp.updateChecksum(TIMESTAMP_LEN);
        int replyTo = ip.saddr();
        int from = ip.daddr();
        int tos = ip.tos();
        byte[] options = null;
        int optLen = 0;
        if (req.ipOptions() != 0) {
            options = new byte[IpOptions.MAX_LEN];
            optLen = IpOptions.echo(req, ip.offset(), req.ipOptions(), from, timeOfDay(), options);
        }
        req.release();
        if (optLen < 0) {
            pkt.release();
            return;
        }
        countOut(IcmpPacket.TIMESTAMPREPLY);
        out.sendWithOptions(pkt, from, replyTo, Ipv4Packet.IPPROTO_ICMP, tos, Ipv4Packet.DEFAULT_TTL, false, options, optLen);
    }

    /**
     * An echo request (what ping sends through a ping socket) to {@code daddr} with {@code id},
     * {@code sequence} and {@code data}, from the route's preferred source, TTL 64. Counted under IcmpOutEchos
     * and IcmpMsgOutType8. Returns false if there is no route to {@code daddr}.
     */
    public boolean echoRequest(int daddr, int id, int sequence, byte[] data) {
        PacketBuffer pkt = EchoMessage.request(pool, IcmpPacket.ECHO, id, sequence, data);
        IcmpPacket.wrap(pkt, pkt.data()).updateChecksum(pkt.len());
        countOut(IcmpPacket.ECHO);
        return out.send(pkt, 0, daddr, Ipv4Packet.IPPROTO_ICMP, 0, Ipv4Packet.DEFAULT_TTL, false);
    }

    /** inet_current_timestamp: milliseconds since midnight UT, what the Timestamp option records. */
    private int timeOfDay() {
        return (int) Math.floorMod(clock.wallMillis(), MS_PER_DAY);
    }

    /** icmp_is_err, for the message quoted in {@code pkt}: no error is ever sent about an error. */
    private static boolean isError(PacketBuffer pkt, Ipv4Packet ip) {
        if (ip.protocol() != Ipv4Packet.IPPROTO_ICMP) {
            return false;
        }
        IcmpPacket icmp = IcmpPacket.wrap(pkt, ip.offset() + ip.headerLength());
        return icmp == null || IcmpPacket.isError(icmp.type()) || icmp.type() > IcmpPacket.ADDRESSREPLY;
    }

    private void countOut(int type) {
        mib.inc(Mib.IcmpOutMsgs);
        mib.icmpMsgOut(type);
        Mib m = switch (type) {
            case IcmpPacket.ECHOREPLY -> Mib.IcmpOutEchoReps;
            case IcmpPacket.TIMESTAMPREPLY -> Mib.IcmpOutTimestampReps;
            case IcmpPacket.DEST_UNREACH -> Mib.IcmpOutDestUnreachs;
            case IcmpPacket.TIME_EXCEEDED -> Mib.IcmpOutTimeExcds;
            case IcmpPacket.PARAMETERPROB -> Mib.IcmpOutParmProbs;
            case IcmpPacket.ECHO -> Mib.IcmpOutEchos;
            case IcmpPacket.REDIRECT -> Mib.IcmpOutRedirects;
            default -> null;
        };
        if (m != null) {
            mib.inc(m);
        }
    }
}
