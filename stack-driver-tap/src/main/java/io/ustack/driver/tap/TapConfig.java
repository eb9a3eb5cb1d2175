package io.ustack.driver.tap;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Prefix;
import io.ustack.core.wire.MacAddress;
import java.util.List;

/**
 * What to open: the TAP's name, the stack's own MAC on it, the MTU, the number of queues and, optionally,
 * the address to give the host (kernel) side. Zero for {@code mac}, {@code mtu} or {@code queues} means
 * "not given" and picks the default; the constructor validates the rest and throws
 * {@link IllegalArgumentException} whose message is one sentence for the user.
 *
 * @param name   the interface name, at most 15 bytes, no '/', ':', '%' or spaces
 * @param mac    the stack's MAC address on this link (48 bits in a long, see {@link MacAddress}); 0 picks a
 *               random locally administered one
 * @param mtu    the device MTU, {@value #MIN_MTU}..{@value #MAX_MTU}; 0 means {@value #DEFAULT_MTU}. The host
 *               side is given the same MTU.
 * @param queues transmit/receive queue pairs, 1..{@value #MAX_QUEUES}; 0 means 1. More than one opens the TAP
 *               with IFF_MULTI_QUEUE and polls each queue on its own thread.
 * @param host   if not null, the host side gets this address and prefix and is brought up
 * @param offload open the TAP with IFF_VNET_HDR and take the checksum and segmentation offloads the kernel
 *               offers (TUNSETOFFLOAD); false reads and writes bare frames, each one segment with a full checksum
 * @param host6  IPv6 addresses the host side gets beside {@code host} (null or empty for none); set where the
 *               kernel has IPv6 on the TAP, a warning in the log where it refuses them
 */
public record TapConfig(String name, long mac, int mtu, int queues, Ipv4Prefix host, boolean offload,
                        List<Ipv6Prefix> host6) {
    public static final int DEFAULT_MTU = 1500;
    /** The smallest MTU IPv4 allows (RFC 791's 68). */
    public static final int MIN_MTU = 68;
    /** ETH_MAX_MTU, the largest the tun driver accepts. */
    public static final int MAX_MTU = 65535;
    /** MAX_TAP_QUEUES in drivers/net/tun.c. */
    public static final int MAX_QUEUES = 256;

    public TapConfig {
        String bad = InterfaceName.check(name);
        if (bad != null) {
            throw new IllegalArgumentException(bad);
        }
        if (mac == 0) {
            mac = MacAddress.random();
        } else if ((mac & ~0xffff_ffff_ffffL) != 0 || MacAddress.isMulticast(mac)) {
            throw new IllegalArgumentException("the MAC of " + name + " must be a 48-bit unicast address, not "
                    + (mac >>> 48 == 0 ? MacAddress.format(mac) : Long.toHexString(mac)));
        }
        if (mtu == 0) {
            mtu = DEFAULT_MTU;
        } else if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("MTU " + mtu + " for " + name + " is outside " + MIN_MTU + ".." + MAX_MTU);
        }
        if (queues == 0) {
            queues = 1;
        } else if (queues < 1 || queues > MAX_QUEUES) {
            throw new IllegalArgumentException(queues + " queues for " + name + " is outside 1.." + MAX_QUEUES);
        }
        if (host != null && (host.address() == Ipv4Address.ANY || host.prefixLen() == 0)) {
            throw new IllegalArgumentException("host address " + host + " for " + name
                    + " needs a non-zero address and prefix length, like 10.77.0.1/24");
        }
        host6 = host6 == null ? List.of() : List.copyOf(host6);
        for (Ipv6Prefix p : host6) {
            if (p.address().isUnspecified() || p.address().isMulticast() || p.prefixLen() == 0) {
                throw new IllegalArgumentException("host address " + p + " for " + name
                        + " needs a unicast address and a non-zero prefix length, like fd00:77::1/64");
            }
        }
    }

    /** A TAP whose host side gets no IPv6 address. */
    public TapConfig(String name, long mac, int mtu, int queues, Ipv4Prefix host, boolean offload) {
        this(name, mac, mtu, queues, host, offload, List.of());
    }

    /** A TAP named {@code name} with a random MAC, MTU 1500, one queue, offloads on and the host side left alone. */
    public static TapConfig of(String name) {
        return new TapConfig(name, 0, 0, 0, null, true);
    }

    public TapConfig withMac(long mac) {
        return new TapConfig(name, mac, mtu, queues, host, offload, host6);
    }

    public TapConfig withMtu(int mtu) {
        return new TapConfig(name, mac, mtu, queues, host, offload, host6);
    }

    public TapConfig withQueues(int queues) {
        return new TapConfig(name, mac, mtu, queues, host, offload, host6);
    }

    public TapConfig withHost(Ipv4Prefix host) {
        return new TapConfig(name, mac, mtu, queues, host, offload, host6);
    }

    public TapConfig withHost6(List<Ipv6Prefix> host6) {
        return new TapConfig(name, mac, mtu, queues, host, offload, host6);
    }

    public TapConfig withOffload(boolean offload) {
        return new TapConfig(name, mac, mtu, queues, host, offload, host6);
    }
}
