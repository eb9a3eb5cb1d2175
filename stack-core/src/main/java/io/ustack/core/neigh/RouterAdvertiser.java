package io.ustack.core.neigh;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.icmp.Icmpv6Sender;
import io.ustack.core.link.NetDevice;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.route.Ipv6Fib.Inet6Address;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.Ipv6Prefix;
import io.ustack.core.wire.NdMessage;
import io.ustack.core.wire.NdOptions;
import io.ustack.core.wire.NdOptions.PrefixInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * A router's side of Router Discovery (RFC 4861 section 6.2) on its advertising interfaces, so that hosts on
 * them configure an address (SLAAC, RFC 4862 section 5.5.3) and a default route. Linux's kernel sends no
 * Router Advertisements (a daemon such as radvd does, over a raw socket); the values here are radvd's defaults,
 * which is what a network engineer expects of a router that says nothing more: cur hop limit 64, no M or O
 * flag, router lifetime 1800 s, reachable and retrans time unspecified, our link-layer address, the link's MTU,
 * and each global /64 prefix of the interface on-link and autonomous (valid 30 days, preferred 7). Only /64s:
 * a host makes an address from a prefix only when prefix length and its 64-bit interface identifier add up
 * to 128 (RFC 4862 5.5.3 d). Advertisements go to all-nodes from the link-local address with hop limit 255,
 * and only once that address has passed DAD (RFC 4861 6.2.2: no tentative source).
 *
 * <p>Timing, section 6.2.4 and 6.2.6, on the stack's clock ({@link #tick} runs with the other timers): the
 * first advertisement as soon as the interface can send one, the next ones at a random interval between
 * MinRtrAdvInterval (200 s) and MaxRtrAdvInterval (600 s), the first three at most 16 s apart. A valid
 * solicitation is answered to all-nodes (the RFC's "usual case"; one answer serves every host asking at
 * once) after a random delay under MAX_RA_DELAY_TIME, but never sooner than MIN_DELAY_BETWEEN_RAS after the
 * last advertisement, and never later than the one already due. An interface that stops advertising (turned
 * off, removed, the stack closed) sends a final advertisement with router lifetime 0 (section 6.2.5) if it
 * had sent any, so hosts drop their default route through us at once rather than in half an hour.
 *
 * <p>Nothing is sent while the stack does not forward ({@code router} false): a host does not advertise.
 */
public final class RouterAdvertiser {
    static final long SECOND = 1_000_000_000L;
    /**
     * MinRtrAdvInterval and MaxRtrAdvInterval: 600 s is RFC 4861's and radvd's default maximum; radvd's minimum
     * is 0.33 of it (198 s), #12 asks for 200 s.
     */
    static final long MIN_RTR_ADV_INTERVAL = 200 * SECOND;
    static final long MAX_RTR_ADV_INTERVAL = 600 * SECOND;
    static final int MAX_INITIAL_RTR_ADVERTISEMENTS = 3;
    static final long MAX_INITIAL_RTR_ADVERT_INTERVAL = 16 * SECOND;
    static final long MAX_RA_DELAY_TIME = SECOND / 2;
    static final long MIN_DELAY_BETWEEN_RAS = 3 * SECOND;
    /** AdvDefaultLifetime, 3 * MaxRtrAdvInterval, in seconds. */
    static final int ROUTER_LIFETIME = 1800;
    /** AdvCurHopLimit: what hosts should send with, as Linux's own default hop limit. */
    static final int CUR_HOP_LIMIT = 64;
    /** AdvValidLifetime and AdvPreferredLifetime, in seconds. */
    static final long VALID_LIFETIME = 2_592_000;
    static final long PREFERRED_LIFETIME = 604_800;

    /** One advertising interface: when its next advertisement is due, and what it has sent. */
    private static final class Schedule {
        long due;
        int initialLeft = MAX_INITIAL_RTR_ADVERTISEMENTS;
        boolean sentAny;
        long lastSent;

        Schedule(long due) {
            this.due = due;
        }
    }

    private final Ipv6Fib fib;
    private final Icmpv6Sender sender;
    private final BufferPool pool;
    private final Clock clock;
    private final RandomGenerator random;
    private final BooleanSupplier router;
    private final Map<NetDevice, Schedule> ifaces = new LinkedHashMap<>();

    /**
     * @param router whether the stack forwards (net.ipv6.conf.all.forwarding): advertisements only then
     */
    public RouterAdvertiser(Ipv6Fib fib, Icmpv6Sender sender, BufferPool pool, Clock clock, RandomGenerator random,
                            BooleanSupplier router) {
        this.fib = fib;
        this.sender = sender;
        this.pool = pool;
        this.clock = clock;
        this.random = random;
        this.router = router;
    }

    /** {@code dev} becomes an advertising interface; its first advertisement is due now. */
    public synchronized void start(NetDevice dev) {
        ifaces.putIfAbsent(dev, new Schedule(clock.nanos()));
    }

    /** {@code dev} stops advertising, with a final advertisement of router lifetime 0 if it had sent any. */
    public void stop(NetDevice dev) {
        Schedule s;
        synchronized (this) {
            s = ifaces.remove(dev);
        }
        if (s != null && s.sentAny) {
            send(dev, 0);
        }
    }

    /** {@link #stop} for every advertising interface: the stack is closing. */
    public void stopAll() {
        List<NetDevice> all;
        synchronized (this) {
            all = List.copyOf(ifaces.keySet());
        }
        all.forEach(this::stop);
    }

    public synchronized boolean advertises(NetDevice dev) {
        return ifaces.containsKey(dev);
    }

    /**
     * A valid Router Solicitation came in by {@code dev}: the answer is scheduled as RFC 4861 6.2.6 says.
     * Returns false when {@code dev} does not advertise (nobody answers there).
     */
    public synchronized boolean solicited(NetDevice dev) {
        Schedule s = ifaces.get(dev);
        if (s == null) {
            return false;
        }
        long now = clock.nanos();
        long delay = random.nextLong(MAX_RA_DELAY_TIME + 1);
        long at = s.sentAny && now - s.lastSent < MIN_DELAY_BETWEEN_RAS ? s.lastSent + MIN_DELAY_BETWEEN_RAS + delay
                : now + delay;
        if (at - s.due < 0) {
            s.due = at;
        }
        return true;
    }

    /**
     * Sends the advertisements that are due, from interfaces that are up with a usable link-local address
     * (the others wait for the next tick), each resetting its interface's interval.
     */
    public void tick() {
        if (!router.getAsBoolean()) {
            return;
        }
        long now = clock.nanos();
        List<NetDevice> due = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<NetDevice, Schedule> e : ifaces.entrySet()) {
                Schedule s = e.getValue();
                if (now - s.due >= 0 && e.getKey().isUp() && linkLocal(e.getKey()) != null) {
                    s.sentAny = true;
                    s.lastSent = now;
                    s.due = now + nextInterval(s);
                    due.add(e.getKey());
                }
            }
        }
        // sent outside the lock, as Dad sends: the ND path may come back here with what it receives
        due.forEach(dev -> send(dev, ROUTER_LIFETIME));
    }

    /** A random interval between the two bounds; while initial advertisements are left, at most 16 s. */
    private long nextInterval(Schedule s) {
        long interval = MIN_RTR_ADV_INTERVAL + random.nextLong(MAX_RTR_ADV_INTERVAL - MIN_RTR_ADV_INTERVAL + 1);
        if (s.initialLeft > 0) {
            s.initialLeft--;
        }
        return s.initialLeft > 0 ? Math.min(interval, MAX_INITIAL_RTR_ADVERT_INTERVAL) : interval;
    }

    /** The link-local address of {@code dev} that has passed DAD, or null. */
    private Ipv6Address linkLocal(NetDevice dev) {
        for (Inet6Address a : fib.addresses(dev)) {
            if (a.address().isLinkLocal() && a.state() == Inet6Address.State.VALID) {
                return a.address();
            }
        }
        return null;
    }

    /**
     * The prefix information options for {@code dev}: each global /64 it has an address in, once, as many as
     * fit in an advertisement of {@code room} bytes (hosts do not reassemble ND, RFC 6980).
     */
    private List<PrefixInfo> prefixes(NetDevice dev, int room) {
        Set<Ipv6Prefix> nets = new LinkedHashSet<>();
        for (Inet6Address a : fib.addresses(dev)) {
            if (a.scope() == Ipv6Address.Scope.GLOBAL && a.prefix().prefixLen() == 64) {
                nets.add(new Ipv6Prefix(a.prefix().network(), 64));
            }
        }
        return nets.stream().limit(room / NdOptions.PREFIX_INFO_OPT_LEN)
                .map(p -> new PrefixInfo(p, NdOptions.PREFIX_ONLINK | NdOptions.PREFIX_AUTOCONF, VALID_LIFETIME,
                        PREFERRED_LIFETIME))
                .toList();
    }

    /** An advertisement with {@code lifetime} out {@code dev} to all-nodes, if it has a usable source. */
    private void send(NetDevice dev, int lifetime) {
        Ipv6Address src = linkLocal(dev);
        if (src == null || !dev.isUp()) {
            return;
        }
        int fixed = NdMessage.RA_LEN + NdOptions.LLADDR_OPT_LEN + NdOptions.MTU_OPT_LEN;
        List<PrefixInfo> prefixes = prefixes(dev, dev.mtu() - Ipv6Packet.HEADER_LEN - fixed);
        PacketBuffer out = pool.allocateWithHeadroom(fixed + prefixes.size() * NdOptions.PREFIX_INFO_OPT_LEN);
        NdMessage.appendRa(out, CUR_HOP_LIMIT, 0, lifetime, 0, 0, dev.mac(), dev.mtu(), prefixes);
        out.setDev(dev);
        sender.sendOnLink(out, src, Ipv6Address.ALL_NODES, dev, NdMessage.HOP_LIMIT);
    }
}
