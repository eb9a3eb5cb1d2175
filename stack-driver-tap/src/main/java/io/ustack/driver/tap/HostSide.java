package io.ustack.driver.tap;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Prefix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Configures the kernel's side of a TAP the way `ip addr add` and `ip link set up` would, through the
 * classic SIOCSIF* ioctls on an AF_INET datagram socket (no shelling out to ip).
 */
final class HostSide {
    static final long SIOCGIFFLAGS = 0x8913;
    static final long SIOCSIFFLAGS = 0x8914;
    static final long SIOCSIFADDR = 0x8916;
    static final long SIOCSIFNETMASK = 0x891c;
    static final long SIOCGIFMTU = 0x8921;
    static final long SIOCGIFINDEX = 0x8933;
    static final int AF_INET6 = 10;
    /** struct in6_ifreq: the address, the prefix length (u32), the ifindex (int). */
    static final int IN6_IFREQ_SIZE = 24;
    private static final System.Logger LOG = System.getLogger(HostSide.class.getName());
    static final long SIOCSIFMTU = 0x8922;
    static final int IFF_UP = 0x1;
    static final int IFF_RUNNING = 0x40;

    private HostSide() {
    }

    /**
     * Gives the host side the MTU {@code mtu} if it has another one, and, when {@code host} is not null,
     * the address and netmask of {@code host} (devinet_ioctl SIOCSIFADDR, then SIOCSIFNETMASK, which needs
     * the address to exist) and brings it up.
     */
    static void configure(String name, int mtu, Ipv4Prefix host) throws TapException {
        int sock;
        try {
            sock = LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw new TapException("cannot open a socket to configure " + name + ": " + Errno.describe(e.getErrorCode()));
        }
        try {
            IfReq current = IfReq.forName(name);
            ioctl(sock, SIOCGIFMTU, current, "MTU", name);
            if (current.mtu() != mtu) {
                ioctl(sock, SIOCSIFMTU, IfReq.forName(name).mtu(mtu), "MTU " + mtu, name);
            }
            if (host != null) {
                ioctl(sock, SIOCSIFADDR, IfReq.forName(name).ipv4(host.address()),
                        "address " + Ipv4Address.format(host.address()), name);
                ioctl(sock, SIOCSIFNETMASK, IfReq.forName(name).ipv4(host.mask()), "netmask /" + host.prefixLen(), name);
                IfReq flags = IfReq.forName(name);
                ioctl(sock, SIOCGIFFLAGS, flags, "flags", name);
                ioctl(sock, SIOCSIFFLAGS, flags.flags(flags.flags() | IFF_UP | IFF_RUNNING), "state (up)", name);
            }
        } finally {
            LibC.closeQuietly(sock);
        }
    }

    /**
     * Gives the host side each address of {@code host6} (addrconf's SIOCSIFADDR on an AF_INET6 socket, with
     * struct in6_ifreq) and brings it up. Where the kernel refuses (IPv6 disabled on the host or in the
     * namespace, say), the daemon goes on without them: one warning says so, since IPv4 works regardless.
     */
    static void configure6(String name, List<Ipv6Prefix> host6) {
        if (host6.isEmpty()) {
            return;
        }
        int sock;
        try {
            sock = LibC.socket(AF_INET6, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}: no IPv6 on this host ({1}); the host side gets no IPv6 address",
                    name, Errno.describe(e.getErrorCode()));
            return;
        }
        try {
            IfReq index = IfReq.forName(name);
            ioctl(sock, SIOCGIFINDEX, index, "index", name);
            int ifindex = index.ifindex();
            IfReq flags = IfReq.forName(name);
            ioctl(sock, SIOCGIFFLAGS, flags, "flags", name);
            ioctl(sock, SIOCSIFFLAGS, flags.flags(flags.flags() | IFF_UP | IFF_RUNNING), "state (up)", name);
            for (Ipv6Prefix p : host6) {
                try {
                    LibC.ioctl(sock, new NativeLong(SIOCSIFADDR), in6Ifreq(p, ifindex));
                } catch (LastErrorException e) {
                    LOG.log(System.Logger.Level.WARNING, "{0}: the kernel refused the host side the address {1} ({2}); "
                            + "is IPv6 disabled there (net.ipv6.conf.{0}.disable_ipv6)?", name, p.toString(),
                            Errno.describe(e.getErrorCode()));
                }
            }
        } catch (TapException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}", e.getMessage());
        } finally {
            LibC.closeQuietly(sock);
        }
    }

    /** struct in6_ifreq for {@code p} on interface {@code ifindex}, in the host's byte order but the address. */
    static byte[] in6Ifreq(Ipv6Prefix p, int ifindex) {
        byte[] b = new byte[IN6_IFREQ_SIZE];
        System.arraycopy(p.address().toBytes(), 0, b, 0, 16);
        ByteBuffer.wrap(b, 16, 8).order(ByteOrder.nativeOrder()).putInt(p.prefixLen()).putInt(ifindex);
        return b;
    }

    private static void ioctl(int sock, long request, IfReq req, String what, String name) throws TapException {
        try {
            LibC.ioctl(sock, new NativeLong(request), req.bytes());
        } catch (LastErrorException e) {
            throw new TapException(TapErrors.hostSide(what, e.getErrorCode(), name));
        }
    }
}
