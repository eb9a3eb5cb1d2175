package io.ustack.cli.services.dhcp;

import static io.ustack.cli.services.dhcp.DhcpCounters.Counter.*;
import static io.ustack.cli.services.dhcp.DhcpMessage.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One interface's DHCP server as RFC 2131 section 4.3 describes it: a state machine with no I/O and no
 * clock of its own. A client message and {@code now} (milliseconds) go in; a reply and where it goes come
 * out. The lease table never holds more entries than the pool and the static bindings have addresses (each
 * address is bound to at most one client); the declined list holds pool addresses only.
 */
public final class DhcpServer {
    /** How long an OFFER holds its address for the client (ISC dhcpd holds one for a minute or so). */
    public static final long OFFER_HOLD_MILLIS = 60_000;
    /** How long an address a client DECLINEd stays out of use (dhcpd's abandon time is of this order). */
    public static final long DECLINE_HOLD_MILLIS = 600_000;

    /** Where a reply goes (RFC 2131 section 4.1). */
    public enum Dest {
        /** 255.255.255.255:68 at ff:ff:ff:ff:ff:ff, on the interface the request came in on. */
        BROADCAST,
        /** {@code address}:68 at the MAC {@code mac}: the client has no address yet and asked for no broadcast. */
        UNICAST_TO_CHADDR,
        /** {@code address}:68 (the client's ciaddr), through ARP as any unicast. */
        UNICAST,
        /** {@code address}:67, the relay agent (giaddr). */
        RELAY
    }

    /** A reply: the bytes, where they go (address and, for UNICAST_TO_CHADDR, the MAC to send to). */
    public record Reply(byte[] bytes, Dest dest, int address, long mac) {
        public DhcpMessage message() {
            return DhcpMessage.parse(bytes).message();
        }
    }

    private final DhcpPool pool;
    private final DhcpCounters counters;
    private final Map<Long, Lease> byMac = new LinkedHashMap<>();
    private final Map<Integer, Lease> byIp = new HashMap<>();
    private final Map<Integer, Long> declined = new HashMap<>();
    /** Counts changes to the lease table, so that the lease file is written only when there is news. */
    private long version;

    public DhcpServer(DhcpPool pool, DhcpCounters counters) {
        this.pool = pool;
        this.counters = counters;
    }

    public DhcpPool pool() {
        return pool;
    }

    /** How many times the lease table has changed. */
    public synchronized long version() {
        return version;
    }

    /** The leases this server holds (bound and offered), a copy. */
    public synchronized List<Lease> leases() {
        return new ArrayList<>(byMac.values());
    }

    /** Takes a lease read back from the lease file, if its address is one this server hands out and free. */
    public synchronized boolean restore(Lease l) {
        Integer fixed = pool.statics().get(l.mac());
        boolean ok = fixed != null ? fixed == l.ip() : pool.inPool(l.ip()) && !pool.statics().containsValue(l.ip());
        if (!ok || !l.bound() || byIp.containsKey(l.ip()) || byMac.containsKey(l.mac())) {
            return false;
        }
        put(l);
        return true;
    }

    /**
     * Handles one client message received on this server's interface. {@code toBroadcast}: the request's IP
     * destination was a broadcast (tells REBINDING from RENEWING). Returns null when no reply is due.
     */
    public synchronized Reply handle(DhcpMessage m, boolean toBroadcast, long now) {
        return switch (m.messageType()) {
            case DISCOVER -> discover(m, now);
            case REQUEST -> request(m, toBroadcast, now);
            case RELEASE -> release(m, now);
            case DECLINE -> decline(m, now);
            case INFORM -> inform(m);
            default -> {
                counters.inc(DhcpInIgnored); // OFFER, ACK, NAK: for clients, not for us
                yield null;
            }
        };
    }

    /** A DISCOVER: an OFFER of the client's static address, its last lease, the one it asks for, or a free one. */
    private Reply discover(DhcpMessage m, long now) {
        counters.inc(DhcpInDiscovers);
        long mac = m.chaddr();
        int ip = choose(mac, m.addressOption(OPT_REQUESTED_IP), now);
        if (ip == 0) {
            counters.inc(DhcpPoolExhausted);
            return null;
        }
        Lease old = byMac.get(mac);
        if (old == null || old.ip() != ip || !old.bound() || old.expires() <= now) {
            put(new Lease(mac, ip, now + OFFER_HOLD_MILLIS, m.hostname(), false));
        }
        counters.inc(DhcpOutOffers);
        return reply(m, OFFER, ip, true);
    }

    /** The address for {@code mac}, or 0 when the pool has none left. */
    private int choose(long mac, int requested, long now) {
        Integer fixed = pool.statics().get(mac);
        if (fixed != null) {
            return fixed;
        }
        Lease mine = byMac.get(mac);
        if (mine != null && pool.inPool(mine.ip()) && !isDeclined(mine.ip(), now)) {
            return mine.ip();
        }
        if (requested != 0 && free(requested, now)) {
            return requested;
        }
        Lease oldestExpired = null;
        for (int i = 0; i < pool.size(); i++) {
            int ip = pool.first() + i;
            if (pool.statics().containsValue(ip) || isDeclined(ip, now)) {
                continue;
            }
            Lease l = byIp.get(ip);
            if (l == null) {
                return ip; // never handed out: best
            }
            if (l.expires() <= now && (oldestExpired == null || l.expires() < oldestExpired.expires())) {
                oldestExpired = l;
            }
        }
        return oldestExpired == null ? 0 : oldestExpired.ip();
    }

    private boolean free(int ip, long now) {
        if (!pool.inPool(ip) || pool.statics().containsValue(ip) || isDeclined(ip, now)) {
            return false;
        }
        Lease l = byIp.get(ip);
        return l == null || l.expires() <= now;
    }

    private boolean isDeclined(int ip, long now) {
        Long until = declined.get(ip);
        if (until != null && until <= now) {
            declined.remove(ip);
            return false;
        }
        return until != null;
    }

    /** A REQUEST in one of the four client states of RFC 2131 4.3.2. */
    private Reply request(DhcpMessage m, boolean toBroadcast, long now) {
        counters.inc(DhcpInRequests);
        long mac = m.chaddr();
        int serverId = m.addressOption(OPT_SERVER_ID);
        int requested = m.addressOption(OPT_REQUESTED_IP);
        int ciaddr = m.ciaddr();
        Lease mine = byMac.get(mac);
        if (serverId != 0) {
            // SELECTING: the client has chosen a server
            if (serverId != pool.server().address()) {
                if (mine != null && !mine.bound()) {
                    remove(mine); // it chose another server: our offer is free again
                }
                counters.inc(DhcpInIgnored);
                return null;
            }
            if (requested != 0 && mine != null && mine.ip() == requested && (mine.bound() || mine.expires() > now)) {
                return ack(m, mac, requested, now);
            }
            if (requested != 0 && requested == pool.statics().getOrDefault(mac, 0)) {
                return ack(m, mac, requested, now);
            }
            return nak(m, "requested address not offered");
        }
        if (requested != 0 && ciaddr == 0) {
            // INIT-REBOOT: the client verifies a previous address
            if (!pool.onNetwork(requested)) {
                return nak(m, "wrong network");
            }
            Integer fixed = pool.statics().get(mac);
            if (fixed != null) {
                return fixed == requested ? ack(m, mac, requested, now) : nak(m, "requested address is not this client's");
            }
            if (mine == null) {
                if (free(requested, now)) {
                    return ack(m, mac, requested, now); // an address nobody holds: give it (as an authoritative dhcpd)
                }
                counters.inc(DhcpInIgnored); // no record of this client: remain silent (4.3.2)
                return null;
            }
            return mine.ip() == requested ? ack(m, mac, requested, now) : nak(m, "requested address is not this client's");
        }
        if (ciaddr != 0) {
            // RENEWING (unicast to us) or REBINDING (broadcast)
            Integer fixed = pool.statics().get(mac);
            boolean its = fixed != null ? fixed == ciaddr
                    : (mine != null && mine.ip() == ciaddr) || (mine == null && free(ciaddr, now));
            if (its) {
                return ack(m, mac, ciaddr, now);
            }
            if (toBroadcast && mine == null) {
                counters.inc(DhcpInIgnored); // rebinding, and not ours to judge
                return null;
            }
            return nak(m, "address is not this client's");
        }
        counters.inc(DhcpInIgnored); // neither server id, requested address nor ciaddr: not a valid REQUEST
        return null;
    }

    private Reply ack(DhcpMessage m, long mac, int ip, long now) {
        Lease old = byMac.get(mac);
        String host = m.hostname() != null ? m.hostname() : old == null ? null : old.hostname();
        put(new Lease(mac, ip, now + pool.leaseSeconds() * 1000, host, true));
        counters.inc(DhcpOutAcks);
        return reply(m, ACK, ip, true);
    }

    private Reply nak(DhcpMessage m, String why) {
        counters.inc(DhcpOutNaks);
        Builder b = new Builder(BOOTREPLY).xid(m.xid()).flags(m.flags()).giaddr(m.giaddr()).chaddr(m.chaddr())
                .messageType(NAK).addressOption(OPT_SERVER_ID, pool.server().address()).stringOption(OPT_MESSAGE, why);
        if (m.giaddr() != 0) {
            b.flags(m.flags() | FLAG_BROADCAST); // 4.1: a NAK through a relay asks it to broadcast
            return new Reply(b.build(), Dest.RELAY, m.giaddr(), 0);
        }
        return new Reply(b.build(), Dest.BROADCAST, -1, 0);
    }

    private Reply release(DhcpMessage m, long now) {
        counters.inc(DhcpInReleases);
        Lease mine = byMac.get(m.chaddr());
        if (mine != null && mine.ip() == m.ciaddr()) {
            // kept as an expired binding, so that the client gets the same address back if it is still free
            put(new Lease(mine.mac(), mine.ip(), now, mine.hostname(), true));
        }
        return null;
    }

    private Reply decline(DhcpMessage m, long now) {
        counters.inc(DhcpInDeclines);
        int ip = m.addressOption(OPT_REQUESTED_IP);
        Lease mine = byMac.get(m.chaddr());
        if (ip != 0 && pool.inPool(ip) && mine != null && mine.ip() == ip) {
            remove(mine);
            declined.put(ip, now + DECLINE_HOLD_MILLIS);
        }
        return null;
    }

    /** An INFORM: the configuration without an address (no yiaddr, no lease time), to ciaddr. */
    private Reply inform(DhcpMessage m) {
        counters.inc(DhcpInInforms);
        counters.inc(DhcpOutAcks);
        Builder b = base(m, ACK, 0);
        configuration(b, false);
        byte[] bytes = b.build();
        if (m.giaddr() != 0) {
            return new Reply(bytes, Dest.RELAY, m.giaddr(), 0);
        }
        return m.ciaddr() != 0 ? new Reply(bytes, Dest.UNICAST, m.ciaddr(), 0) : new Reply(bytes, Dest.BROADCAST, -1, 0);
    }

    private Builder base(DhcpMessage m, int type, int yiaddr) {
        return new Builder(BOOTREPLY).xid(m.xid()).flags(m.flags()).ciaddr(m.ciaddr()).yiaddr(yiaddr)
                .giaddr(m.giaddr()).chaddr(m.chaddr()).messageType(type)
                .addressOption(OPT_SERVER_ID, pool.server().address());
    }

    private void configuration(Builder b, boolean lease) {
        if (lease) {
            long t = pool.leaseSeconds();
            b.u32Option(OPT_LEASE_TIME, t).u32Option(OPT_RENEWAL_T1, t / 2).u32Option(OPT_REBINDING_T2, t * 7 / 8);
        }
        b.addressOption(OPT_SUBNET_MASK, pool.server().mask()).addressOption(OPT_ROUTER, pool.server().address());
        if (!pool.dns().isEmpty()) {
            b.addressOption(OPT_DNS, pool.dns().stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /** An OFFER or ACK of {@code ip}, sent as RFC 2131 4.1 says. */
    private Reply reply(DhcpMessage m, int type, int ip, boolean lease) {
        Builder b = base(m, type, ip);
        configuration(b, lease);
        byte[] bytes = b.build();
        if (m.giaddr() != 0) {
            return new Reply(bytes, Dest.RELAY, m.giaddr(), 0);
        }
        if (m.ciaddr() != 0) {
            return new Reply(bytes, Dest.UNICAST, m.ciaddr(), 0);
        }
        if (m.broadcastFlag()) {
            return new Reply(bytes, Dest.BROADCAST, -1, 0);
        }
        return new Reply(bytes, Dest.UNICAST_TO_CHADDR, ip, m.chaddr());
    }

    private void put(Lease l) {
        Lease old = byMac.remove(l.mac());
        if (old != null) {
            byIp.remove(old.ip());
        }
        Lease other = byIp.remove(l.ip());
        if (other != null) {
            byMac.remove(other.mac()); // an expired binding of another client, reclaimed
        }
        byMac.put(l.mac(), l);
        byIp.put(l.ip(), l);
        version++;
    }

    private void remove(Lease l) {
        byMac.remove(l.mac());
        byIp.remove(l.ip());
        version++;
    }
}
