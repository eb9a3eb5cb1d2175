package io.ustack.core.neigh;

import io.ustack.core.link.NetDevice;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.route.Ipv6Fib.Inet6Address;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Prefix;
import io.ustack.core.wire.MacAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Duplicate Address Detection for this host's own addresses (RFC 4862 section 5.4; addrconf_dad_start,
 * addrconf_dad_kick, addrconf_dad_work, addrconf_dad_failure in net/ipv6/addrconf.c). A new address is
 * tentative: unused as a source and deaf to packets sent to it. After a random delay under rtr_solicit_delay
 * (1 s) one Neighbour Solicitation (dad_transmits 1) goes from :: to its solicited-node group with a nonce
 * (enhanced DAD, RFC 7527); a retrans_time (1 s) later with no answer the address is valid, and an
 * unsolicited Neighbour Advertisement (override set, to all-nodes) tells the link it is ours, as Linux sends
 * one with ndisc_notify on. A Neighbour Solicitation from :: for it (another node's DAD; our own, looped back,
 * carries our nonce and is ignored) or an advertisement of it meanwhile means another node has it: the
 * duplicate is logged and the address left DADFAILED, unusable, as Linux marks it.
 */
public final class Dad {
    private static final System.Logger LOG = System.getLogger(Dad.class.getName());
    /** rtr_solicit_delay: the first probe waits a random time under it. */
    static final long MAX_DELAY_NANOS = 1_000_000_000L;
    /** The ND table's retrans_time: the wait after each probe. */
    static final long RETRANS_NANOS = 1_000_000_000L;
    /** dad_transmits. */
    static final int TRANSMITS = 1;

    private record Key(NetDevice dev, Ipv6Address address) {
    }

    /** One address under DAD: its nonce, the probes still to send, and when the next step is due. */
    private static final class Probe {
        final long nonce;
        int probesLeft = TRANSMITS;
        long due;

        Probe(long nonce, long due) {
            this.nonce = nonce;
            this.due = due;
        }
    }

    private final Ipv6Fib fib;
    private final Ndisc ndisc;
    private final Clock clock;
    private final RandomGenerator random;
    private final Map<Key, Probe> running = new LinkedHashMap<>();

    public Dad(Ipv6Fib fib, Ndisc ndisc, Clock clock, RandomGenerator random) {
        this.fib = fib;
        this.ndisc = ndisc;
        this.clock = clock;
        this.random = random;
    }

    /** addrconf_dad_start and addrconf_dad_kick: {@code p} joins {@code dev} tentative, its first probe scheduled. */
    public synchronized void start(NetDevice dev, Ipv6Prefix p) {
        fib.addAddress(dev, p, Inet6Address.State.TENTATIVE);
        long nonce;
        do {
            nonce = random.nextLong() & 0xffff_ffff_ffffL;
        } while (nonce == 0);
        running.put(new Key(dev, p.address()), new Probe(nonce, clock.nanos() + random.nextLong(MAX_DELAY_NANOS)));
    }

    /**
     * addrconf_dad_work for every address whose time has come: the next probe, or, with none left, the
     * address made valid and announced.
     */
    public void tick() {
        long now = clock.nanos();
        Map<Key, Long> probes = new LinkedHashMap<>();
        Map<Key, Boolean> done = new LinkedHashMap<>();
        synchronized (this) {
            Iterator<Map.Entry<Key, Probe>> it = running.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Key, Probe> e = it.next();
                Probe p = e.getValue();
                if (now - p.due < 0) {
                    continue;
                }
                if (p.probesLeft == 0) {
                    it.remove();
                    done.put(e.getKey(), fib.setState(e.getKey().dev(), e.getKey().address(), Inet6Address.State.VALID));
                } else {
                    p.probesLeft--;
                    p.due = now + RETRANS_NANOS;
                    probes.put(e.getKey(), p.nonce);
                }
            }
        }
        // sent outside the lock: the ND path may come back here with what it receives
        probes.forEach((k, nonce) -> ndisc.sendDadNs(k.dev(), k.address(), nonce));
        done.forEach((k, still) -> {
            if (still && k.dev().isUp()) {
                ndisc.sendNa(k.dev(), Ipv6Address.ALL_NODES, k.address(), false, true, true);
            }
        });
    }

    /** Whether {@code nonce} is the one our own probe for {@code a} on {@code dev} carries: it came back to us. */
    synchronized boolean isOwnProbe(NetDevice dev, Ipv6Address a, long nonce) {
        Probe p = running.get(new Key(dev, a));
        return p != null && nonce != 0 && p.nonce == nonce;
    }

    /**
     * addrconf_dad_failure: another node, at {@code mac}, has the tentative address {@code a}: logged, and the
     * address left DADFAILED.
     */
    synchronized void failed(NetDevice dev, Ipv6Address a, long mac) {
        running.remove(new Key(dev, a));
        if (fib.setState(dev, a, Inet6Address.State.DADFAILED)) {
            LOG.log(System.Logger.Level.WARNING, "{0}: IPv6 duplicate address {1} used by {2} detected!", dev.name(), a,
                    MacAddress.format(mac));
        }
    }

    /** addrconf_dad_stop: {@code a} on {@code dev} is going away, so its detection ends unfinished. */
    public synchronized void stop(NetDevice dev, Ipv6Address a) {
        running.remove(new Key(dev, a));
    }

    /** How many addresses are under DAD. */
    public synchronized int running() {
        return running.size();
    }
}
