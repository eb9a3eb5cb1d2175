package io.ustack.core.neigh;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.Mib;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The ARP neighbour table (arp_tbl) and its NUD state machine, with the kernel's default timers.
 *
 * <p>Sending ({@link #output}) reads the entry without a lock when a MAC is known. Resolution, confirmation
 * and the timers ({@link #tick}, run periodically by the stack's housekeeping) change an entry under its
 * monitor; frames are handed to the device only after the monitor is released.
 */
public final class NeighbourTable {
    /** arp_solicit: how the table asks for an address. {@code targetMac} 0 means broadcast. */
    @FunctionalInterface
    public interface Solicitor {
        void solicit(NetDevice dev, int targetIp, long targetMac);
    }

    /**
     * neigh_ops.error_report (arp_error_report): told of each packet that waited for an address that never
     * came, before the table drops it; the IPv4 layer answers with ICMP host unreachable. Borrows.
     */
    @FunctionalInterface
    public interface ErrorReporter {
        void errorReport(PacketBuffer pkt);
    }

    private final ConcurrentHashMap<Long, Neighbour> entries = new ConcurrentHashMap<>();
    private final NeighParams params;
    private final Clock clock;
    private final RandomGenerator random;
    private final PacketDrops drops;
    private final MibCounters mib;
    private volatile Solicitor solicitor;
    private volatile ErrorReporter errorReporter = pkt -> { };

    public NeighbourTable(NeighParams params, Clock clock, RandomGenerator random, PacketDrops drops, MibCounters mib) {
        this.params = params;
        this.clock = clock;
        this.random = random;
        this.drops = drops;
        this.mib = mib;
    }

    public void setSolicitor(Solicitor solicitor) {
        this.solicitor = solicitor;
    }

    public void setErrorReporter(ErrorReporter errorReporter) {
        this.errorReporter = errorReporter;
    }

    private static long key(NetDevice dev, int ip) {
        return ((long) dev.ifindex() << 32) | (ip & 0xffff_ffffL);
    }

    /** neigh_lookup: the entry for {@code ip} on {@code dev}, or null. */
    public Neighbour lookup(NetDevice dev, int ip) {
        return entries.get(key(dev, ip));
    }

    /**
     * neigh_resolve_output: adds the Ethernet header for next hop {@code nexthop} and queues the frame on
     * {@code dev}; while the address is being resolved the packet waits in the entry's queue. Takes ownership;
     * data must be at the IP header.
     */
    public void output(PacketBuffer pkt, NetDevice dev, int nexthop) {
        Neighbour n = entries.get(key(dev, nexthop));
        if (n == null) {
            n = create(dev, nexthop);
            if (n == null) {
                drops.drop(pkt, DropReason.NEIGH_QUEUEFULL);
                return;
            }
        }
        long now = clock.nanos();
        n.usedNanos = now;
        NudState s = n.state;
        if (s == NudState.REACHABLE || s == NudState.DELAY || s == NudState.PROBE || s == NudState.PERMANENT) {
            transmit(pkt, dev, n.mac);
            return;
        }
        eventSend(n, pkt, now);
    }

    /** __neigh_event_send: the slow path, for STALE, NONE, INCOMPLETE and FAILED entries. */
    private void eventSend(Neighbour n, PacketBuffer pkt, long now) {
        boolean solicit = false;
        long mac;
        synchronized (n) {
            switch (n.state) {
                case STALE -> {
                    n.state = NudState.DELAY;
                    n.updatedNanos = now;
                    n.timerNanos = now + ms(params.delayFirstProbeMs());
                }
                case NONE, FAILED -> {
                    n.state = NudState.INCOMPLETE;
                    n.updatedNanos = now;
                    n.probes = 1;
                    n.timerNanos = now + ms(params.retransMs());
                    solicit = true;
                    enqueue(n, pkt);
                }
                case INCOMPLETE -> enqueue(n, pkt);
                default -> { } // a MAC arrived since output() looked
            }
            mac = n.state.hasAddress() ? n.mac : -1;
        }
        if (mac >= 0) {
            transmit(pkt, n.dev, mac);
        }
        if (solicit) {
            send(n.dev, n.ip, 0L);
        }
    }

    /** Queues a packet on an INCOMPLETE entry, dropping the oldest while over unres_qlen_bytes. Caller holds n. */
    private void enqueue(Neighbour n, PacketBuffer pkt) {
        int size = pkt.end();
        while (!n.queue.isEmpty() && n.queueBytes + size > params.unresQlenBytes()) {
            PacketBuffer old = n.queue.pollFirst();
            n.queueBytes -= old.end();
            mib.inc(Mib.ArpUnresolvedDiscards);
            drops.drop(old, DropReason.NEIGH_QUEUEFULL);
        }
        n.queue.addLast(pkt);
        n.queueBytes += size;
    }

    private Neighbour create(NetDevice dev, int ip) {
        if (entries.size() >= params.gcThresh3()) {
            forcedGc();
            if (entries.size() >= params.gcThresh3()) {
                return null; // "neighbour table overflow", as the kernel says
            }
        }
        Neighbour fresh = new Neighbour(dev, ip);
        fresh.updatedNanos = clock.nanos();
        Neighbour prior = entries.putIfAbsent(key(dev, ip), fresh);
        return prior != null ? prior : fresh;
    }

    /** neigh_forced_gc: removes entries that hold nothing of value (STALE, FAILED, NONE). */
    private void forcedGc() {
        entries.values().removeIf(n -> {
            synchronized (n) {
                return n.state == NudState.STALE || n.state == NudState.FAILED || n.state == NudState.NONE;
            }
        });
    }

    /**
     * neigh_update from a received ARP message. {@code solicitedReply} is a unicast reply to this host (it
     * proves reachability: REACHABLE); anything else (a request, a broadcast reply) only says where the
     * address is: STALE. With {@code create} a missing entry is made (neigh_event_ns, for requests to us).
     * Queued packets leave once a MAC is known.
     */
    public void update(NetDevice dev, int ip, long mac, boolean solicitedReply, boolean create) {
        Neighbour n = entries.get(key(dev, ip));
        if (n == null) {
            if (!create) {
                return;
            }
            n = create(dev, ip);
            if (n == null) {
                return;
            }
        }
        long now = clock.nanos();
        List<PacketBuffer> release = null;
        synchronized (n) {
            if (n.state == NudState.PERMANENT) {
                return;
            }
            boolean known = n.state.hasAddress();
            boolean locked = known && n.mac != mac && now - n.updatedNanos < ms(params.locktimeMs());
            if (locked) {
                return; // several replies back to back: the first one wins (arp_process's locktime)
            }
            if (solicitedReply) {
                n.state = NudState.REACHABLE;
                n.confirmedNanos = now;
                n.reachableNanos = randomReachable();
                n.timerNanos = now + n.reachableNanos;
            } else if (!known || n.mac != mac) {
                n.state = NudState.STALE;
                n.timerNanos = 0;
            }
            if (n.mac != mac || !known) {
                n.updatedNanos = now;
            }
            n.mac = mac;
            if (!n.queue.isEmpty()) {
                release = new ArrayList<>(n.queue);
                n.queue.clear();
                n.queueBytes = 0;
            }
        }
        if (release != null) {
            for (PacketBuffer p : release) {
                transmit(p, dev, mac);
            }
        }
    }

    /** Adds a permanent entry, as `ip neigh add ... nud permanent`. */
    public void addPermanent(NetDevice dev, int ip, long mac) {
        Neighbour n = entries.computeIfAbsent(key(dev, ip), k -> new Neighbour(dev, ip));
        synchronized (n) {
            n.mac = mac;
            n.state = NudState.PERMANENT;
            n.timerNanos = 0;
        }
    }

    /**
     * neigh_timer_handler and neigh_periodic_work, for every entry whose timer is due at {@code clock.nanos()}:
     * REACHABLE ages to STALE, DELAY turns to PROBE, INCOMPLETE and PROBE resend or give up (FAILED:
     * neigh_invalidate reports each packet that waited to the {@link ErrorReporter} and drops it), and unused STALE or FAILED entries are collected after gc_stale_time.
     */
    public void tick() {
        long now = clock.nanos();
        for (Neighbour n : entries.values()) {
            List<PacketBuffer> failed = null;
            long probeMac = -1;
            boolean remove = false;
            synchronized (n) {
                boolean due = n.timerNanos != 0 && now - n.timerNanos >= 0;
                switch (n.state) {
                    case REACHABLE -> {
                        if (due) {
                            n.state = NudState.STALE;
                            n.updatedNanos = now;
                            n.timerNanos = 0;
                        }
                    }
                    case DELAY -> {
                        if (due) {
                            n.state = NudState.PROBE;
                            n.updatedNanos = now;
                            n.probes = 1;
                            n.timerNanos = now + ms(params.retransMs());
                            probeMac = n.mac;
                        }
                    }
                    case PROBE, INCOMPLETE -> {
                        if (due) {
                            int max = n.state == NudState.PROBE ? params.ucastProbes() : params.mcastProbes();
                            if (n.probes >= max) {
                                n.state = NudState.FAILED;
                                n.updatedNanos = now;
                                n.timerNanos = 0;
                                mib.inc(Mib.ArpResFailed);
                                failed = new ArrayList<>(n.queue);
                                n.queue.clear();
                                n.queueBytes = 0;
                            } else {
                                n.probes++;
                                n.timerNanos = now + ms(params.retransMs());
                                probeMac = n.state == NudState.PROBE ? n.mac : 0L;
                            }
                        }
                    }
                    case STALE, FAILED, NONE -> remove = now - Math.max(n.usedNanos, n.updatedNanos) >= ms(params.gcStaleMs());
                    default -> { }
                }
            }
            if (failed != null) {
                for (PacketBuffer p : failed) {
                    errorReporter.errorReport(p);
                    drops.drop(p, DropReason.NEIGH_FAILED);
                }
            }
            if (probeMac >= 0) {
                send(n.dev, n.ip, probeMac);
            }
            if (remove) {
                entries.remove(key(n.dev, n.ip), n);
            }
        }
    }

    /**
     * Forgets every entry that is not PERMANENT (`ip neigh flush all`), dropping what waited without an error
     * report, as neigh_flush_dev does. Returns how many entries went.
     */
    public int flush() {
        int flushed = 0;
        for (Neighbour n : entries.values()) {
            List<PacketBuffer> waiting;
            synchronized (n) {
                if (n.state == NudState.PERMANENT) {
                    continue;
                }
                waiting = new ArrayList<>(n.queue);
                n.queue.clear();
                n.queueBytes = 0;
            }
            if (entries.remove(key(n.dev, n.ip), n)) {
                flushed++;
            }
            for (PacketBuffer p : waiting) {
                drops.drop(p, DropReason.NEIGH_FAILED);
            }
        }
        return flushed;
    }

    /** Every entry, for `ustack neigh`. */
    public List<Neighbour> entries() {
        return new ArrayList<>(entries.values());
    }

    /** neigh_rand_reach_time: uniformly between half and one and a half times base_reachable_time. */
    private long randomReachable() {
        long base = ms(params.baseReachableMs());
        return base / 2 + random.nextLong(base);
    }

    private void send(NetDevice dev, int ip, long mac) {
        Solicitor s = solicitor;
        if (s != null) {
            s.solicit(dev, ip, mac);
        }
    }

    /** neigh_hh_output: writes the Ethernet header and queues the frame on the device. Takes ownership. */
    private static void transmit(PacketBuffer pkt, NetDevice dev, long mac) {
        EthernetFrame.push(pkt, mac, dev.mac(), EthernetFrame.ETH_P_IP);
        dev.devQueueXmit(pkt);
    }

    private static long ms(long millis) {
        return millis * 1_000_000L;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Neighbour n : entries.values()) {
            sb.append(Ipv4Address.format(n.ip)).append(' ').append(n.state).append('\n');
        }
        return sb.toString();
    }
}
