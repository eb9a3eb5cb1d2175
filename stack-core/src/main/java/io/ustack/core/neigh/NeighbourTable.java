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
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * A neighbour table and its NUD state machine, with the kernel's default timers: the neighbour core that
 * serves both ARP (arp_tbl, {@link Family#ARP}) and IPv6 Neighbour Discovery (nd_tbl, {@link Family#ND}), one
 * instance per family as in Linux. Entries of an ARP table are keyed by IPv4 address, those of an ND table by
 * IPv6 address; the states, timers, queueing and garbage collection are the same code.
 *
 * <p>Sending ({@link #output}) reads the entry without a lock when a MAC is known. Resolution, confirmation
 * and the timers ({@link #tick}, run periodically by the stack's housekeeping) change an entry under its
 * monitor; frames are handed to the device only after the monitor is released.
 */
public final class NeighbourTable {
    /** Which protocol a table resolves for: the EtherType it sends with and the counters its failures go to. */
    public enum Family {
        /** arp_tbl: IPv4 over ARP. */
        ARP(EthernetFrame.ETH_P_IP, Mib.ArpResFailed, Mib.ArpUnresolvedDiscards),
        /** nd_tbl: IPv6 over Neighbour Discovery. */
        ND(EthernetFrame.ETH_P_IPV6, Mib.NdiscResFailed, Mib.NdiscUnresolvedDiscards);

        final int etherType;
        final Mib resFailed;
        final Mib unresolvedDiscards;

        Family(int etherType, Mib resFailed, Mib unresolvedDiscards) {
            this.etherType = etherType;
            this.resFailed = resFailed;
            this.unresolvedDiscards = unresolvedDiscards;
        }
    }

    /**
     * ndisc_solicit: how an ND table asks for an address. {@code targetMac} 0 means by multicast (to the
     * target's solicited-node group), anything else a unicast probe. {@code waitingSource} is the source
     * address of the oldest packet waiting for the address, or null: if it is still ours, it is the
     * solicitation's source too (ndisc_solicit).
     */
    @FunctionalInterface
    public interface Solicitor6 {
        void solicit(NetDevice dev, Ipv6Address target, long targetMac, Ipv6Address waitingSource);
    }

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

    /** Keys: a Long (ifindex, IPv4 address) in an ARP table, an {@link NdKey} in an ND table. */
    private final ConcurrentHashMap<Object, Neighbour> entries = new ConcurrentHashMap<>();
    private final Family family;
    private final NeighParams params;
    private final Clock clock;
    private final RandomGenerator random;
    private final PacketDrops drops;
    private final MibCounters mib;
    private volatile Solicitor solicitor;
    private volatile Solicitor6 solicitor6;
    private volatile ErrorReporter errorReporter = pkt -> { };

    /** An ARP table (arp_tbl). */
    public NeighbourTable(NeighParams params, Clock clock, RandomGenerator random, PacketDrops drops, MibCounters mib) {
        this(Family.ARP, params, clock, random, drops, mib);
    }

    public NeighbourTable(Family family, NeighParams params, Clock clock, RandomGenerator random, PacketDrops drops,
                          MibCounters mib) {
        this.family = family;
        this.params = params;
        this.clock = clock;
        this.random = random;
        this.drops = drops;
        this.mib = mib;
    }

    public void setSolicitor(Solicitor solicitor) {
        this.solicitor = solicitor;
    }

    public void setSolicitor6(Solicitor6 solicitor6) {
        this.solicitor6 = solicitor6;
    }

    public Family family() {
        return family;
    }

    public void setErrorReporter(ErrorReporter errorReporter) {
        this.errorReporter = errorReporter;
    }

    private static long key(NetDevice dev, int ip) {
        return ((long) dev.ifindex() << 32) | (ip & 0xffff_ffffL);
    }

    /** An ND table's key: the device and the IPv6 address. */
    private record NdKey(int ifindex, Ipv6Address addr) {
    }

    private static Object key(Neighbour n) {
        return n.ip6 == null ? (Object) key(n.dev, n.ip) : new NdKey(n.dev.ifindex(), n.ip6);
    }

    /** neigh_lookup in an ND table: the entry for {@code ip6} on {@code dev}, or null. */
    public Neighbour lookup(NetDevice dev, Ipv6Address ip6) {
        return entries.get(new NdKey(dev.ifindex(), ip6));
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
        output(n, pkt);
    }

    /**
     * neigh_resolve_output in an ND table (ip6_finish_output2): as {@link #output(PacketBuffer, NetDevice, int)}
     * for IPv6 next hop {@code nexthop}. Takes ownership; data must be at the IPv6 header.
     */
    public void output(PacketBuffer pkt, NetDevice dev, Ipv6Address nexthop) {
        Neighbour n = entries.get(new NdKey(dev.ifindex(), nexthop));
        if (n == null) {
            n = create(new Neighbour(dev, nexthop));
            if (n == null) {
                drops.drop(pkt, DropReason.NEIGH_QUEUEFULL);
                return;
            }
        }
        output(n, pkt);
    }

    /** A jiffy at HZ=1000: how finely the last use of an entry is kept (its readers want seconds). */
    private static final long USED_GRANULARITY_NANOS = 1_000_000L;

    private void output(Neighbour n, PacketBuffer pkt) {
        NetDevice dev = n.dev;
        long now = clock.nanos();
        // neigh_event_send writes neigh->used only when the jiffy has moved on: a volatile store on every
        // packet bounces the entry's cache line between the threads that send through it (measured: half the
        // backlog thread's samples under a bulk receive were on that one store)
        if (now - n.usedNanos >= USED_GRANULARITY_NANOS) {
            n.usedNanos = now;
        }
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
        Ipv6Address first = null;
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
                    first = sourceOf(n, n.queue.peekFirst());
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
            send(n, 0L, first);
        }
    }

    /** Queues a packet on an INCOMPLETE entry, dropping the oldest while over unres_qlen_bytes. Caller holds n. */
    private void enqueue(Neighbour n, PacketBuffer pkt) {
        int size = pkt.end();
        while (!n.queue.isEmpty() && n.queueBytes + size > params.unresQlenBytes()) {
            PacketBuffer old = n.queue.pollFirst();
            n.queueBytes -= old.end();
            mib.inc(family.unresolvedDiscards);
            drops.drop(old, DropReason.NEIGH_QUEUEFULL);
        }
        n.queue.addLast(pkt);
        n.queueBytes += size;
    }

    private Neighbour create(NetDevice dev, int ip) {
        return create(new Neighbour(dev, ip));
    }

    /** neigh_create: adds {@code fresh} unless an entry for its address exists (then returns that), or null when full. */
    private Neighbour create(Neighbour fresh) {
        if (entries.size() >= params.gcThresh3()) {
            forcedGc();
            if (entries.size() >= params.gcThresh3()) {
                return null; // "neighbour table overflow", as the kernel says
            }
        }
        fresh.updatedNanos = clock.nanos();
        Neighbour prior = entries.putIfAbsent(key(fresh), fresh);
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
        apply(n, mac, solicitedReply, true, true);
    }

    /**
     * ndisc_update from a received ND message (neigh_update with ND's flags). {@code mac} is the link-layer
     * address the message carried, or -1 if it carried none. {@code solicited} (a solicited NA) proves
     * reachability: REACHABLE; anything else says where the address is: STALE. Without {@code override} (an
     * NA with O clear) a different address does not replace a known one: a REACHABLE entry only turns STALE
     * (RFC 4861 section 7.2.5). With {@code create} a missing entry is made (an NS from the address). Returns
     * whether there was, or now is, an entry.
     */
    public boolean update(NetDevice dev, Ipv6Address ip6, long mac, boolean solicited, boolean override, boolean create) {
        Neighbour n = entries.get(new NdKey(dev.ifindex(), ip6));
        if (n == null) {
            if (!create || mac < 0) {
                return false;
            }
            n = create(new Neighbour(dev, ip6));
            if (n == null) {
                return false;
            }
        }
        apply(n, mac, solicited, override, false);
        return true;
    }

    /** neigh_update's core, for both families. */
    private void apply(Neighbour n, long mac, boolean solicitedReply, boolean override, boolean arpLocktime) {
        NetDevice dev = n.dev;
        long now = clock.nanos();
        List<PacketBuffer> release = null;
        synchronized (n) {
            if (n.state == NudState.PERMANENT) {
                return;
            }
            boolean known = n.state.hasAddress();
            if (mac < 0) {
                if (!known) {
                    return; // nothing to resolve with (an NA without a target link-layer address)
                }
                mac = n.mac;
            }
            boolean locked = arpLocktime && known && n.mac != mac && now - n.updatedNanos < ms(params.locktimeMs());
            if (locked) {
                return; // several replies back to back: the first one wins (arp_process's locktime)
            }
            if (!override && known && n.mac != mac) {
                if (n.state != NudState.REACHABLE) {
                    return;
                }
                // the known address stays, but is no longer confirmed
                n.state = NudState.STALE;
                n.timerNanos = 0;
                n.updatedNanos = now;
                return;
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

    /** Adds a permanent entry in an ND table, as `ip -6 neigh add ... nud permanent`. */
    public void addPermanent(NetDevice dev, Ipv6Address ip6, long mac) {
        Neighbour n = entries.computeIfAbsent(new NdKey(dev.ifindex(), ip6), k -> new Neighbour(dev, ip6));
        synchronized (n) {
            n.mac = mac;
            n.state = NudState.PERMANENT;
            n.timerNanos = 0;
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
            Ipv6Address waiting = null;
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
                                mib.inc(family.resFailed);
                                failed = new ArrayList<>(n.queue);
                                n.queue.clear();
                                n.queueBytes = 0;
                            } else {
                                n.probes++;
                                n.timerNanos = now + ms(params.retransMs());
                                probeMac = n.state == NudState.PROBE ? n.mac : 0L;
                                waiting = sourceOf(n, n.queue.peekFirst());
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
                send(n, probeMac, waiting);
            }
            if (remove) {
                entries.remove(key(n), n);
            }
        }
    }

    /**
     * Forgets every entry that is not PERMANENT (`ip neigh flush all`), dropping what waited without an error
     * report, as neigh_flush_dev does. Returns how many entries went.
     */
    public int flush() {
        return flush(null);
    }

    /**
     * neigh_ifdown: forgets every entry on {@code dev} that is not PERMANENT ({@code ip neigh flush dev DEV}),
     * or on every device for null, as {@link #flush()}. Returns how many entries went.
     */
    public int flush(NetDevice dev) {
        int flushed = 0;
        for (Neighbour n : entries.values()) {
            List<PacketBuffer> waiting;
            synchronized (n) {
                if (n.state == NudState.PERMANENT || (dev != null && n.dev != dev)) {
                    continue;
                }
                waiting = new ArrayList<>(n.queue);
                n.queue.clear();
                n.queueBytes = 0;
            }
            if (entries.remove(key(n), n)) {
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

    /**
     * The source address of {@code queued}, a packet waiting on ND entry {@code n} (data at its IPv6 header),
     * read while the caller holds the entry: once it lets go the packet may leave and its buffer be reused.
     * Null for an ARP entry or no packet.
     */
    private static Ipv6Address sourceOf(Neighbour n, PacketBuffer queued) {
        if (n.ip6 == null || queued == null) {
            return null;
        }
        Ipv6Packet ip = Ipv6Packet.wrap(queued, queued.data());
        return ip == null ? null : ip.saddr();
    }

    /** neigh->ops->solicit: arp_solicit or ndisc_solicit. */
    private void send(Neighbour n, long mac, Ipv6Address waiting) {
        if (n.ip6 == null) {
            Solicitor s = solicitor;
            if (s != null) {
                s.solicit(n.dev, n.ip, mac);
            }
        } else {
            Solicitor6 s = solicitor6;
            if (s != null) {
                s.solicit(n.dev, n.ip6, mac, waiting);
            }
        }
    }

    /** neigh_hh_output: writes the Ethernet header and queues the frame on the device. Takes ownership. */
    private void transmit(PacketBuffer pkt, NetDevice dev, long mac) {
        EthernetFrame.push(pkt, mac, dev.mac(), family.etherType);
        dev.devQueueXmit(pkt);
    }

    private static long ms(long millis) {
        return millis * 1_000_000L;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Neighbour n : entries.values()) {
            sb.append(n.ip6 == null ? Ipv4Address.format(n.ip) : n.ip6.toString()).append(' ').append(n.state).append('\n');
        }
        return sb.toString();
    }
}
