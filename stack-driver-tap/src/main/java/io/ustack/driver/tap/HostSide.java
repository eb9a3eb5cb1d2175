package io.ustack.driver.tap;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;

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

    private static void ioctl(int sock, long request, IfReq req, String what, String name) throws TapException {
        try {
            LibC.ioctl(sock, new NativeLong(request), req.bytes());
        } catch (LastErrorException e) {
            throw new TapException(TapErrors.hostSide(what, e.getErrorCode(), name));
        }
    }
}
