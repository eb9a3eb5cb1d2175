package io.ustack.driver.tap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * struct ifreq as the kernel lays it out on 64-bit Linux: 40 bytes, the interface name in the first
 * IFNAMSIZ (16) and a union at offset 16 that holds, depending on the ioctl, the flags (short), the MTU
 * (int) or a struct sockaddr_in. The whole 40 bytes are passed because TUNSETIFF and the SIOCG* calls copy
 * all of it back. Integers are in host order, except the port and address inside sockaddr_in.
 */
final class IfReq {
    static final int SIZE = 40;
    static final int IFNAMSIZ = 16;
    static final int UNION = 16;
    private static final short AF_INET = 2;

    private final byte[] bytes = new byte[SIZE];
    private final ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());

    private IfReq() {
    }

    /** An ifreq naming {@code name}; the name must already be valid ({@link InterfaceName#check}). */
    static IfReq forName(String name) {
        IfReq r = new IfReq();
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, r.bytes, 0, n.length);
        return r;
    }

    /** ifr_flags: IFF_* for SIOCGIFFLAGS/SIOCSIFFLAGS, IFF_TAP etc. for TUNSETIFF. */
    IfReq flags(int flags) {
        buf.putShort(UNION, (short) flags);
        return this;
    }

    int flags() {
        return buf.getShort(UNION) & 0xffff;
    }

    /** ifr_mtu, for SIOCGIFMTU/SIOCSIFMTU. */
    IfReq mtu(int mtu) {
        buf.putInt(UNION, mtu);
        return this;
    }

    int mtu() {
        return buf.getInt(UNION);
    }

    /**
     * ifr_addr (or ifr_netmask) as struct sockaddr_in: family AF_INET in host order, port 0, the address
     * in network order, eight bytes of zero padding.
     */
    IfReq ipv4(int address) {
        buf.putShort(UNION, AF_INET);
        buf.putShort(UNION + 2, (short) 0);
        ByteBuffer.wrap(bytes, UNION + 4, 4).order(ByteOrder.BIG_ENDIAN).putInt(address);
        return this;
    }

    /** ifr_ifindex, as SIOCGIFINDEX fills it. */
    int ifindex() {
        return buf.getInt(UNION);
    }

    byte[] bytes() {
        return bytes;
    }
}
