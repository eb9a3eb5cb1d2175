package io.ustack.core.ipv4;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.route.Fib;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Packet;

/**
 * IPv4 options as Linux handles them (net/ipv4/ip_options.c): {@link #compile} is ip_options_compile on a
 * received packet (Record Route and Timestamp filled in place, malformed options found with the offset of the
 * byte at fault), {@link #echo} is ip_options_echo with ip_options_build's filling, the options a reply carries
 * back (ICMP echo and timestamp replies, ICMP errors, TCP resets).
 *
 * <p>What compile learns, struct ip_options in IPCB(skb)->opt, is packed in a long kept on the packet
 * ({@link PacketBuffer#ipOptions()}): the offsets from the IP header of the Record Route, Timestamp, source
 * route and CIPSO options and the flags saying which slots a reply fills. Zero means no options.
 */
public final class IpOptions {
    public static final int IPOPT_END = 0;
    public static final int IPOPT_NOOP = 1;
    public static final int IPOPT_RR = 7;
    public static final int IPOPT_TIMESTAMP = 68;
    public static final int IPOPT_CIPSO = 134;
    public static final int IPOPT_LSRR = 131;
    public static final int IPOPT_SSRR = 137;
    public static final int IPOPT_RA = 148;
    static final int TS_TSONLY = 0;
    static final int TS_TSANDADDR = 1;
    static final int TS_PRESPEC = 3;
    /** The most option bytes a header holds. */
    public static final int MAX_LEN = 40;

    private static final int RR_SHIFT = 0;
    private static final int TS_SHIFT = 8;
    private static final int SRR_SHIFT = 16;
    private static final int CIPSO_SHIFT = 24;
    static final long RR_NEEDADDR = 1L << 32;
    static final long TS_NEEDADDR = 1L << 33;
    static final long TS_NEEDTIME = 1L << 34;
    /** Set whenever the header had options, so that a header of NOPs alone is told from none. */
    static final long PRESENT = 1L << 35;
    private static final long ERROR = 1L << 48;
    private static final int POINTER_SHIFT = 50;

    private IpOptions() {
    }

    static int rr(long o) {
        return (int) (o >>> RR_SHIFT) & 0xff;
    }

    static int ts(long o) {
        return (int) (o >>> TS_SHIFT) & 0xff;
    }

    /** The offset of a loose or strict source route option, 0 if none. */
    public static int srr(long o) {
        return (int) (o >>> SRR_SHIFT) & 0xff;
    }

    static int cipso(long o) {
        return (int) (o >>> CIPSO_SHIFT) & 0xff;
    }

    /** Whether {@link #compile} found a malformed option. */
    public static boolean failed(long result) {
        return (result & ERROR) != 0;
    }

    /** For a failed compile: the offset from the IP header of the byte at fault (the parameter problem pointer). */
    public static int errorPointer(long result) {
        return (int) (result >>> POINTER_SHIFT) & 0xff;
    }

    /** For a failed compile: what it had learnt before the fault, which an ICMP error echoes. */
    public static long partial(long result) {
        return result & ((1L << 48) - 1);
    }

    private static long error(long opts, int pointer) {
        return opts | ERROR | ((long) pointer << POINTER_SHIFT);
    }

    /**
     * ip_options_compile for a received packet whose IP header is at {@code ip}: checks every option and
     * fills what a router on the way fills (Record Route gets {@code specDst}, Timestamp the time of day
     * {@code nowMs} and, as asked, {@code specDst}), in place. Returns the packed options, or a failure
     * ({@link #failed}) carrying the offset of the byte at fault. The header checksum is left as it came,
     * as Linux leaves it for local delivery.
     */
    public static long compile(PacketBuffer b, int ip, Fib fib, int specDst, int nowMs) {
        int hlen = (b.u8(ip) & 0x0f) * 4;
        long opt = PRESENT;
        int p = ip + Ipv4Packet.MIN_HEADER_LEN;
        int l = hlen - Ipv4Packet.MIN_HEADER_LEN;
        while (l > 0) {
            int type = b.u8(p);
            if (type == IPOPT_END) {
                for (p++, l--; l > 0; p++, l--) {
                    b.setU8(p, IPOPT_END); // what follows the end is overwritten with ends
                }
                break;
            }
            if (type == IPOPT_NOOP) {
                l--;
                p++;
                continue;
            }
            if (l < 2) {
                return error(opt, p - ip);
            }
            int optlen = b.u8(p + 1);
            if (optlen < 2 || optlen > l) {
                return error(opt, p - ip);
            }
            switch (type) {
                case IPOPT_SSRR, IPOPT_LSRR -> {
                    if (optlen < 3) {
                        return error(opt, p + 1 - ip);
                    }
                    if (b.u8(p + 2) < 4) {
                        return error(opt, p + 2 - ip);
                    }
                    if (srr(opt) != 0) {
                        return error(opt, p - ip); // RFC 1812 5.2.4.1: one source route at most
                    }
                    opt |= (long) (p - ip) << SRR_SHIFT;
                }
                case IPOPT_RR -> {
                    if (rr(opt) != 0) {
                        return error(opt, p - ip);
                    }
                    if (optlen < 3) {
                        return error(opt, p + 1 - ip);
                    }
                    int ptr = b.u8(p + 2);
                    if (ptr < 4) {
                        return error(opt, p + 2 - ip);
                    }
                    if (ptr <= optlen) {
                        if (ptr + 3 > optlen) {
                            return error(opt, p + 2 - ip);
                        }
                        b.setI32(p + ptr - 1, specDst);
                        b.setU8(p + 2, ptr + 4);
                        opt |= RR_NEEDADDR;
                    }
                    opt |= (long) (p - ip) << RR_SHIFT;
                }
                case IPOPT_TIMESTAMP -> {
                    if (ts(opt) != 0) {
                        return error(opt, p - ip);
                    }
                    if (optlen < 4) {
                        return error(opt, p + 1 - ip);
                    }
                    int ptr = b.u8(p + 2);
                    if (ptr < 5) {
                        return error(opt, p + 2 - ip);
                    }
                    int flags = b.u8(p + 3);
                    if (ptr <= optlen) {
                        if (ptr + 3 > optlen) {
                            return error(opt, p + 2 - ip);
                        }
                        int timeAt = -1;
                        switch (flags & 0x0f) {
                            case TS_TSONLY -> {
                                timeAt = p + ptr - 1;
                                opt |= TS_NEEDTIME;
                                b.setU8(p + 2, ptr + 4);
                            }
                            case TS_TSANDADDR -> {
                                if (ptr + 7 > optlen) {
                                    return error(opt, p + 2 - ip);
                                }
                                b.setI32(p + ptr - 1, specDst);
                                timeAt = p + ptr + 3;
                                opt |= TS_NEEDADDR | TS_NEEDTIME;
                                b.setU8(p + 2, ptr + 8);
                            }
                            case TS_PRESPEC -> {
                                if (ptr + 7 > optlen) {
                                    return error(opt, p + 2 - ip);
                                }
                                if (!isUnicast(fib, b.i32(p + ptr - 1))) {
                                    // the address named is ours: stamp it and move on
                                    timeAt = p + ptr + 3;
                                    opt |= TS_NEEDTIME;
                                    b.setU8(p + 2, ptr + 8);
                                }
                            }
                            default -> { } // an unknown flag is left alone on a received packet
                        }
                        if (timeAt >= 0) {
                            b.setI32(timeAt, nowMs);
                        }
                    } else if ((flags & 0x0f) != TS_PRESPEC) {
                        int overflow = flags >>> 4;
                        if (overflow == 15) {
                            return error(opt, p + 3 - ip);
                        }
                        b.setU8(p + 3, (flags & 0x0f) | ((overflow + 1) << 4));
                    }
                    opt |= (long) (p - ip) << TS_SHIFT;
                }
                case IPOPT_RA -> {
                    if (optlen < 4) {
                        return error(opt, p + 1 - ip);
                    }
                }
                case IPOPT_CIPSO -> {
                    if (cipso(opt) != 0) {
                        return error(opt, p - ip);
                    }
                    opt |= (long) (p - ip) << CIPSO_SHIFT;
                    // cipso_v4_validate: with no CIPSO domain configured every label is refused, at its
                    // length when that is short, else at the domain of interpretation it names
                    return error(opt, p + (optlen < 8 ? 1 : 2) - ip);
                }
                default -> { } // security, stream id and unknown options: ignored on a received packet
            }
            l -= optlen;
            p += optlen;
        }
        return opt;
    }

    /** inet_addr_type == RTN_UNICAST, as Linux asks it of the local table: not ours, not any broadcast. */
    private static boolean isUnicast(Fib fib, int addr) {
        return !Ipv4Address.isZeronet(addr) && addr != Ipv4Address.BROADCAST && !Ipv4Address.isMulticast(addr)
                && !fib.isLocal(addr) && !fib.isBroadcast(addr);
    }

    /**
     * ip_options_echo, then ip_options_build: the options a reply to the packet at {@code ip} (compiled into
     * {@code opts}) carries, written to {@code out} with the reply's source {@code saddr} and the time of day
     * {@code nowMs} filled where the echo asks for them, padded with ends to a multiple of four. Returns
     * their length (0 for none), or -1 when an option cannot be echoed (no room for this host's entry), in
     * which case Linux sends no reply at all.
     */
    public static int echo(PacketBuffer b, int ip, long opts, int saddr, int nowMs, byte[] out) {
        if (opts == 0) {
            return 0;
        }
        int len = 0;
        int rr = rr(opts);
        if (rr != 0) {
            int optlen = b.u8(ip + rr + 1);
            int soffset = b.u8(ip + rr + 2);
            copy(b, ip + rr, out, len, optlen);
            if ((opts & RR_NEEDADDR) != 0 && soffset <= optlen) {
                if (soffset + 3 > optlen) {
                    return -1;
                }
                out[len + 2] = (byte) (soffset + 4);
                putInt(out, len + soffset + 4 - 5, saddr);
            }
            len += optlen;
        }
        int ts = ts(opts);
        if (ts != 0) {
            int optlen = b.u8(ip + ts + 1);
            int soffset = b.u8(ip + ts + 2);
            copy(b, ip + ts, out, len, optlen);
            if (soffset <= optlen) {
                boolean needAddr = false;
                boolean needTime = false;
                if ((opts & TS_NEEDADDR) != 0) {
                    if (soffset + 3 > optlen) {
                        return -1;
                    }
                    needAddr = true;
                    soffset += 4;
                }
                if ((opts & TS_NEEDTIME) != 0) {
                    if (soffset + 3 > optlen) {
                        return -1;
                    }
                    if ((out[len + 3] & 0x0f) != TS_PRESPEC) {
                        needTime = true;
                        soffset += 4;
                    } else if (soffset + 7 <= optlen) {
                        int addr = getInt(out, len + soffset - 1);
                        if (addr == saddr) {
                            // the next address named is the one this reply leaves from: stamp it
                            needTime = true;
                            soffset += 8;
                        }
                    }
                }
                out[len + 2] = (byte) soffset;
                if (needAddr) {
                    putInt(out, len + soffset - 9, saddr);
                }
                if (needTime) {
                    putInt(out, len + soffset - 5, nowMs);
                }
            }
            len += optlen;
        }
        int cipso = cipso(opts);
        if (cipso != 0) {
            int optlen = b.u8(ip + cipso + 1);
            copy(b, ip + cipso, out, len, optlen);
            len += optlen;
        }
        while ((len & 3) != 0) {
            out[len++] = IPOPT_END;
        }
        return len;
    }

    private static void copy(PacketBuffer b, int from, byte[] out, int at, int n) {
        for (int i = 0; i < n; i++) {
            out[at + i] = (byte) b.u8(from + i);
        }
    }

    private static void putInt(byte[] out, int at, int v) {
        out[at] = (byte) (v >>> 24);
        out[at + 1] = (byte) (v >>> 16);
        out[at + 2] = (byte) (v >>> 8);
        out[at + 3] = (byte) v;
    }

    private static int getInt(byte[] in, int at) {
        return (in[at] & 0xff) << 24 | (in[at + 1] & 0xff) << 16 | (in[at + 2] & 0xff) << 8 | (in[at + 3] & 0xff);
    }
}
