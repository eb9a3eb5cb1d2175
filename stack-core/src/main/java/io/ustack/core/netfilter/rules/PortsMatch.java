package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.Ipv4Packet;
import java.util.Arrays;

/**
 * The tcp and udp matches (tcp_mt, udp_mt): source and destination port ranges and, for TCP, the flags
 * under a mask ({@code --tcp-flags MASK COMP}, {@code --syn}). A packet with no ports to offer (a later
 * fragment, a header cut short) matches neither way, as the kernel's hotdrop refuses it.
 */
final class PortsMatch implements Match {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int ACK = 0x10;
    private static final String[] FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    private static final int ALL = 0x3f;

    private final boolean tcp;
    private final int[] sports; // null: no --sport
    private final boolean sportInvert;
    private final int[] dports;
    private final boolean dportInvert;
    private final int flagMask; // 0: no --tcp-flags
    private final int flagCmp;
    private final boolean flagInvert;

    private PortsMatch(Parser p) {
        tcp = p.tcp;
        sports = p.sports;
        sportInvert = p.sportInvert;
        dports = p.dports;
        dportInvert = p.dportInvert;
        flagMask = p.flagMask;
        flagCmp = p.flagCmp;
        flagInvert = p.flagInvert;
    }

    @Override
    public String name() {
        return tcp ? "tcp" : "udp";
    }

    @Override
    public boolean matches(XtPacket p) {
        if (p.sport == XtPacket.NONE) {
            return false;
        }
        if (sports != null && (p.sport >= sports[0] && p.sport <= sports[1]) == sportInvert) {
            return false;
        }
        if (dports != null && (p.dport >= dports[0] && p.dport <= dports[1]) == dportInvert) {
            return false;
        }
        return flagMask == 0 || ((p.tcpFlags & flagMask) == flagCmp) != flagInvert;
    }

    /** Whether the rule looks only at SYNs without RST (what TCPMSS insists on). */
    boolean matchesOnlySyn() {
        return tcp && !flagInvert && (flagMask & SYN) != 0 && (flagCmp & SYN) != 0;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(tcp ? " -m tcp" : " -m udp");
        if (sports != null) {
            Xt.saveOption(sb, sportInvert, "--sport " + Xt.range(sports[0], sports[1]));
        }
        if (dports != null) {
            Xt.saveOption(sb, dportInvert, "--dport " + Xt.range(dports[0], dports[1]));
        }
        if (flagMask != 0) {
            Xt.saveOption(sb, flagInvert, "--tcp-flags " + flags(flagMask) + " " + flags(flagCmp));
        }
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        sb.append(tcp ? " tcp" : " udp");
        String names = numeric ? null : name();
        listPorts(sb, "spt", sports, sportInvert, names);
        listPorts(sb, "dpt", dports, dportInvert, names);
        if (flagMask != 0) {
            sb.append(" flags:").append(flagInvert ? "!" : "");
            if (numeric) {
                sb.append(String.format("0x%02X/0x%02X", flagMask, flagCmp));
            } else {
                sb.append(flags(flagMask)).append('/').append(flags(flagCmp));
            }
        }
    }

    /** spt:PORT or spts:LO:HI, with names for {@code proto} (null: numbers). */
    private static void listPorts(StringBuilder sb, String name, int[] r, boolean invert, String proto) {
        if (r != null) {
            sb.append(' ').append(name).append(r[0] == r[1] ? ":" : "s:").append(invert ? "!" : "")
                    .append(Xt.portRange(r[0], r[1], proto));
        }
    }

    /** FIN,SYN,... in the bits' order, NONE for none. */
    private static String flags(int bits) {
        if (bits == 0) {
            return "NONE";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < FLAG_NAMES.length; i++) {
            if ((bits & (1 << i)) != 0) {
                sb.append(sb.length() == 0 ? "" : ",").append(FLAG_NAMES[i]);
            }
        }
        return sb.toString();
    }

    /** A comma-separated list of flag names (ALL, NONE) as --tcp-flags takes it. */
    private static int parseFlags(String v) {
        int bits = 0;
        for (String f : v.split(",", -1)) {
            int b = switch (f) {
                case "ALL" -> ALL;
                case "NONE" -> 0;
                default -> {
                    int i = Arrays.asList(FLAG_NAMES).indexOf(f);
                    if (i < 0) {
                        throw IptablesException.usage("Unknown TCP flag `" + f + "'");
                    }
                    yield 1 << i;
                }
            };
            bits |= b;
        }
        return bits;
    }

    static final class Parser implements MatchParser {
        private final boolean tcp;
        int[] sports;
        boolean sportInvert;
        int[] dports;
        boolean dportInvert;
        int flagMask;
        int flagCmp;
        boolean flagInvert;

        Parser(boolean tcp) {
            this.tcp = tcp;
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            switch (option) {
                case "--sport", "--source-port" -> {
                    sports = Xt.portRange(w.value(option), tcp ? "tcp" : "udp");
                    sportInvert = invert;
                }
                case "--dport", "--destination-port" -> {
                    dports = Xt.portRange(w.value(option), tcp ? "tcp" : "udp");
                    dportInvert = invert;
                }
                case "--tcp-flags" -> {
                    if (!tcp) {
                        return false;
                    }
                    String mask = w.value(option);
                    if (!w.hasNext()) {
                        throw IptablesException.usage("--tcp-flags requires two args.");
                    }
                    flagMask = parseFlags(mask);
                    flagCmp = parseFlags(w.next());
                    flagInvert = invert;
                }
                case "--syn" -> {
                    if (!tcp) {
                        return false;
                    }
                    flagMask = FIN | SYN | RST | ACK;
                    flagCmp = SYN;
                    flagInvert = invert;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            int proto = tcp ? Ipv4Packet.IPPROTO_TCP : Ipv4Packet.IPPROTO_UDP;
            if (rule.protocol != proto || rule.protocolInvert) {
                // xt_check_match: "tcp match: only valid for protocol 6"
                throw IptablesException.refused("iptables: Invalid argument (the " + (tcp ? "tcp" : "udp")
                        + " match needs -p " + (tcp ? "tcp" : "udp") + ")");
            }
            return new PortsMatch(this);
        }
    }
}
