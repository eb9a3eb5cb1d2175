package io.ustack.core.netfilter.rules;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.TcpSegment;
import io.ustack.core.wire.UdpDatagram;
import java.util.Locale;

/**
 * LOG (log_tg with nf_log_syslog's dump_ipv4_packet): one line about the packet in the daemon's log, in the
 * kernel's format ({@code IN=eth0 OUT= MAC=... SRC=... DST=... LEN=... TOS=... PREC=... TTL=... ID=...
 * PROTO=TCP SPT=... DPT=...}) after the rule's prefix, at the syslog level the rule gives (warning unless
 * told); the walk goes on. A logged packet costs the line; one not logged costs nothing. An IPv6 packet's
 * line is dump_ipv6_packet's ({@code SRC=fd00::1 DST=... LEN=... TC=... HOPLIMIT=... FLOWLBL=...
 * PROTO=ICMPv6 TYPE=128 CODE=0 ID=... SEQ=...}), without its list of extension headers.
 */
final class LogTarget extends Target {
    private static final System.Logger LOG = System.getLogger("io.ustack.netfilter.LOG");
    /** The kernel's limit on --log-prefix: 29 characters. */
    private static final int MAX_PREFIX = 29;
    private static final int DEFAULT_LEVEL = 4;
    private static final String[] LEVELS = {"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"};

    private final int level;
    private final String prefix;

    private LogTarget(int level, String prefix) {
        this.level = level;
        this.prefix = prefix;
    }

    @Override
    public String name() {
        return "LOG";
    }

    @Override
    int fire(XtPacket p) {
        System.Logger.Level l = level <= 3 ? System.Logger.Level.ERROR : level == 4 ? System.Logger.Level.WARNING
                : level <= 6 ? System.Logger.Level.INFO : System.Logger.Level.DEBUG;
        if (LOG.isLoggable(l)) {
            LOG.log(l, line(p));
        }
        return CONTINUE;
    }

    /** The kernel's LOG line for {@code p}: nf_log_ip_packet's fields after the prefix. */
    String line(XtPacket p) {
        StringBuilder sb = new StringBuilder(prefix);
        sb.append("IN=").append(p.in == null ? "" : p.in.name()).append(" OUT=").append(p.out == null ? "" : p.out.name())
                .append(' ');
        PacketBuffer pkt = p.pkt;
        int mh = pkt.macHeader();
        if (p.in != null && mh >= 0 && p.ipOff - mh == 14) {
            sb.append("MAC=");
            for (int i = 0; i < 14; i++) {
                sb.append(i == 0 ? "" : ":").append(String.format("%02x", pkt.u8(mh + i)));
            }
            sb.append(' ');
        }
        if (p.v6) {
            ipv6(sb, p);
        } else {
            ipv4(sb, p);
        }
        if (pkt.mark() != 0) {
            sb.append("MARK=0x").append(Integer.toHexString(pkt.mark())).append(' ');
        }
        return sb.toString();
    }

    private static void ipv6(StringBuilder sb, XtPacket p) {
        Ipv6Packet ip = Ipv6Packet.wrap(p.pkt, p.ipOff);
        sb.append("SRC=").append(ip.saddr()).append(" DST=").append(ip.daddr()).append(" LEN=").append(p.len)
                .append(String.format(" TC=%d HOPLIMIT=%d FLOWLBL=%d ", p.tos, p.ttl, ip.flowLabel()));
        if (p.fragment) {
            sb.append("FRAG ");
        }
        if (p.proto == Ipv6Packet.NEXTHDR_ICMP) {
            sb.append("PROTO=ICMPv6 ");
            if (p.icmpType == XtPacket.NONE) {
                return;
            }
            sb.append("TYPE=").append(p.icmpType).append(" CODE=").append(p.icmpCode).append(' ');
            if (p.icmpType == Icmpv6Packet.ECHO_REQUEST || p.icmpType == Icmpv6Packet.ECHO_REPLY) {
                sb.append("ID=").append(p.pkt.u16(p.l4 + 4)).append(" SEQ=").append(p.pkt.u16(p.l4 + 6)).append(' ');
            } else if (p.icmpType == Icmpv6Packet.PKT_TOOBIG) {
                sb.append("MTU=").append(p.pkt.u32(p.l4 + 4)).append(' ');
            }
            return;
        }
        transport(sb, p, p.len - (p.l4 - p.ipOff));
    }

    private static void ipv4(StringBuilder sb, XtPacket p) {
        Ipv4Packet ip = Ipv4Packet.wrap(p.pkt, p.ipOff);
        sb.append("SRC=").append(Ipv4Address.format(p.saddr)).append(" DST=").append(Ipv4Address.format(p.daddr))
                .append(" LEN=").append(p.len)
                .append(String.format(" TOS=0x%02X PREC=0x%02X", p.tos & 0x1e, p.tos & 0xe0))
                .append(" TTL=").append(p.ttl).append(" ID=").append(ip.id()).append(' ');
        if ((ip.fragOffField() & 0x8000) != 0) {
            sb.append("CE ");
        }
        if (ip.dontFragment()) {
            sb.append("DF ");
        }
        if (ip.moreFragments()) {
            sb.append("MF ");
        }
        if (p.fragment) {
            sb.append("FRAG:").append(ip.fragmentOffset() / 8).append(' ');
        }
        if (p.proto == Ipv4Packet.IPPROTO_ICMP) {
            icmp(sb, p);
        } else {
            transport(sb, p, p.len - ip.headerLength());
        }
    }

    /** TCP's and UDP's part of the line (both families'), or the protocol's number; {@code l4len} from the header on. */
    private static void transport(StringBuilder sb, XtPacket p, int l4len) {
        switch (p.proto) {
            case Ipv4Packet.IPPROTO_TCP -> {
                sb.append("PROTO=TCP ");
                TcpSegment th = p.fragment ? null : TcpSegment.wrap(p.pkt, p.l4);
                if (th == null) {
                    sb.append(p.fragment ? "" : "INCOMPLETE [" + l4len + " bytes] ");
                    return;
                }
                sb.append("SPT=").append(th.sourcePort()).append(" DPT=").append(th.destinationPort())
                        .append(" WINDOW=").append(th.window())
                        .append(String.format(" RES=0x%02x ", (p.pkt.u8(p.l4 + 12) & 0x0e) >> 1));
                String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
                for (int i = names.length - 1; i >= 0; i--) {
                    if ((p.tcpFlags & (1 << i)) != 0) {
                        sb.append(names[i]).append(' ');
                    }
                }
                sb.append("URGP=").append(th.urgentPointer()).append(' ');
            }
            case Ipv4Packet.IPPROTO_UDP -> {
                sb.append("PROTO=UDP ");
                UdpDatagram uh = p.fragment ? null : UdpDatagram.wrap(p.pkt, p.l4);
                if (uh != null) {
                    sb.append("SPT=").append(uh.sourcePort()).append(" DPT=").append(uh.destinationPort())
                            .append(" LEN=").append(uh.length()).append(' ');
                }
            }
            default -> sb.append("PROTO=").append(p.proto).append(' ');
        }
    }

    private static void icmp(StringBuilder sb, XtPacket p) {
        sb.append("PROTO=ICMP ");
        if (p.icmpType == XtPacket.NONE) {
            return;
        }
        sb.append("TYPE=").append(p.icmpType).append(" CODE=").append(p.icmpCode).append(' ');
        IcmpPacket ih = IcmpPacket.wrap(p.pkt, p.l4);
        if (p.icmpType == IcmpPacket.ECHO || p.icmpType == IcmpPacket.ECHOREPLY) {
            sb.append("ID=").append(ih.echoId()).append(" SEQ=").append(ih.echoSequence()).append(' ');
        } else if (p.icmpType == IcmpPacket.DEST_UNREACH && p.icmpCode == IcmpPacket.FRAG_NEEDED) {
            sb.append("MTU=").append(ih.nextHopMtu()).append(' ');
        }
    }

    @Override
    void save(StringBuilder sb) {
        if (!prefix.isEmpty()) {
            sb.append(" --log-prefix ").append(Xt.quote(prefix));
        }
        if (level != DEFAULT_LEVEL) {
            sb.append(" --log-level ").append(level);
        }
    }

    @Override
    void list(StringBuilder sb, boolean numeric) {
        sb.append(" LOG");
        if (numeric) {
            sb.append(" flags 0 level ").append(level);
        } else {
            sb.append(" level ").append(LEVELS[level]);
        }
        if (!prefix.isEmpty()) {
            sb.append(" prefix \"").append(prefix).append('"');
        }
    }

    static final class Parser implements TargetParser {
        private int level = DEFAULT_LEVEL;
        private String prefix = "";

        @Override
        public boolean option(String option, boolean invert, Words w) {
            switch (option) {
                case "--log-level" -> level = level(w.value(option));
                case "--log-prefix" -> {
                    prefix = w.value(option);
                    if (prefix.length() > MAX_PREFIX) {
                        throw IptablesException.usage("Maximum prefix length " + MAX_PREFIX + " for --log-prefix");
                    }
                    if (prefix.indexOf('\n') >= 0) {
                        throw IptablesException.usage("Newlines not allowed in --log-prefix");
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** 0 to 7, or a syslog level's name. */
        private static int level(String v) {
            long n = Xt.number(v, 7);
            if (n >= 0) {
                return (int) n;
            }
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "emerg", "panic" -> 0;
                case "alert" -> 1;
                case "crit" -> 2;
                case "err", "error" -> 3;
                case "warn", "warning" -> 4;
                case "notice" -> 5;
                case "info" -> 6;
                case "debug" -> 7;
                default -> throw IptablesException.usage("log-level `" + v + "' unknown");
            };
        }

        @Override
        public Target build(RuleParser.Builder rule) {
            return new LogTarget(level, prefix);
        }
    }
}
