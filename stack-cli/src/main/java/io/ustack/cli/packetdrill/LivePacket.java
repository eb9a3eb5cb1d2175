package io.ustack.cli.packetdrill;

import io.ustack.core.wire.Checksum;
import java.util.ArrayList;
import java.util.List;

/**
 * A packet the stack sent, decoded far enough to be checked against a script line and printed as
 * packetdrill prints packets: its IPv4 header's fields and a TCP, UDP or ICMP part. Sequence numbers are
 * as on the wire (the runner maps them to the script's).
 */
record LivePacket(int tos, int ttl, int id, boolean df, int protocol, int src, int dst, int totalLength,
                  boolean headerChecksumOk, Tcp tcp, Udp udp, Icmp icmp) {
    static final int PROTO_ICMP = 1;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;

    /**
     * The letters packetdrill writes for TCP's flags, in the order of their bits on the wire (FIN 0x01, SYN,
     * RST, PSH, ACK, URG, ECE, CWR 0x80), which is also the order it prints them in.
     */
    static final String FLAG_LETTERS = "FSRP.UEW";

    record Tcp(int sport, int dport, long seq, long ack, int flags, int window, int urgent, int headerLength,
               List<TcpOption> options, int payload) {
        boolean has(int bit) {
            return (flags & bit) != 0;
        }
    }

    record Udp(int sport, int dport, int payload) {
    }

    record Icmp(int type, int code, int payload) {
    }

    /** The flags as packetdrill writes them: {@code S.} for SYN and ACK, {@code .} for a bare ACK. */
    static String flagString(int flags) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < FLAG_LETTERS.length(); i++) {
            if ((flags & (1 << i)) != 0) {
                b.append(FLAG_LETTERS.charAt(i));
            }
        }
        return b.toString();
    }

    /** The flag bits of letters as a script writes them; -1 for a letter that is no flag. */
    static int flagBits(String letters) {
        int bits = 0;
        for (char c : letters.toCharArray()) {
            int i = FLAG_LETTERS.indexOf(c);
            if (i < 0) {
                return -1;
            }
            bits |= 1 << i;
        }
        return bits;
    }

    /** Decodes {@code ip}, which starts at an IPv4 header; null if it is not one this runner reads. */
    static LivePacket decode(byte[] ip) {
        if (ip.length < 20 || (ip[0] >> 4) != 4) {
            return null;
        }
        int ihl = (ip[0] & 0x0f) * 4;
        int total = u16(ip, 2);
        if (ihl < 20 || total > ip.length || total < ihl) {
            return null;
        }
        int proto = ip[9] & 0xff;
        Tcp tcp = null;
        Udp udp = null;
        Icmp icmp = null;
        int l4 = ihl;
        int l4len = total - ihl;
        if (proto == PROTO_TCP && l4len >= 20) {
            int doff = ((ip[l4 + 12] >> 4) & 0x0f) * 4;
            if (doff < 20 || doff > l4len) {
                return null;
            }
            int flags = ip[l4 + 13] & 0xff;
            tcp = new Tcp(u16(ip, l4), u16(ip, l4 + 2), u32(ip, l4 + 4), u32(ip, l4 + 8), flags,
                    u16(ip, l4 + 14), u16(ip, l4 + 18), doff, options(ip, l4 + 20, l4 + doff), l4len - doff);
        } else if (proto == PROTO_UDP && l4len >= 8) {
            udp = new Udp(u16(ip, l4), u16(ip, l4 + 2), l4len - 8);
        } else if (proto == PROTO_ICMP && l4len >= 8) {
            icmp = new Icmp(ip[l4] & 0xff, ip[l4 + 1] & 0xff, l4len - 8);
        }
        boolean checksumOk = Checksum.fold(Checksum.partial(ip, 0, ihl, 0)) == 0;
        return new LivePacket(ip[1] & 0xff, ip[8] & 0xff, u16(ip, 4), (ip[6] & 0x40) != 0, proto, (int) u32(ip, 12),
                (int) u32(ip, 16), total, checksumOk, tcp, udp, icmp);
    }

    private static List<TcpOption> options(byte[] b, int at, int end) {
        List<TcpOption> out = new ArrayList<>();
        while (at < end) {
            int kind = b[at] & 0xff;
            if (kind == 0) {
                out.add(new TcpOption.Eol());
                at++;
                continue;
            }
            if (kind == 1) {
                out.add(new TcpOption.Nop());
                at++;
                continue;
            }
            if (at + 1 >= end) {
                break;
            }
            int len = b[at + 1] & 0xff;
            if (len < 2 || at + len > end) {
                break;
            }
            switch (kind) {
                case 2 -> out.add(new TcpOption.Mss(u16(b, at + 2)));
                case 3 -> out.add(new TcpOption.WindowScale(b[at + 2] & 0xff));
                case 4 -> out.add(new TcpOption.SackPermitted());
                case 5 -> {
                    List<TcpOption.Sack.Block> blocks = new ArrayList<>();
                    for (int i = at + 2; i + 8 <= at + len; i += 8) {
                        blocks.add(new TcpOption.Sack.Block(u32(b, i), u32(b, i + 4)));
                    }
                    out.add(new TcpOption.Sack(blocks));
                }
                case 8 -> out.add(new TcpOption.Timestamp(u32(b, at + 2), u32(b, at + 6)));
                default -> {
                    // an option this stack never sends: nothing a script could expect of it
                }
            }
            at += len;
        }
        return out;
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }
}
