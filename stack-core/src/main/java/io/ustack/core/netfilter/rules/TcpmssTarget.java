package io.ustack.core.netfilter.rules;

import io.ustack.core.offload.PartialChecksum;
import io.ustack.core.route.DstEntry;
import io.ustack.core.wire.Checksum;
import io.ustack.core.wire.TcpSegment;

/**
 * TCPMSS (tcpmss_tg4): lowers the MSS option of a SYN to {@code --set-mss} or, with
 * {@code --clamp-mss-to-pmtu}, to the route's MTU less 40 bytes of IP and TCP header, so that hosts behind
 * a link with a smaller MTU (a tunnel, PPPoE) never send segments the path cannot carry. An MSS option
 * already at or below that stays; a SYN without one is left as it is (the kernel would add one). The walk
 * goes on.
 */
final class TcpmssTarget extends Target {
    private static final int CLAMP_HOOKS = Chain.FORWARD.bit() | Chain.OUTPUT.bit() | Chain.POSTROUTING.bit();
    private static final int TCPOPT_EOL = 0;
    private static final int TCPOPT_NOP = 1;
    private static final int TCPOPT_MSS = 2;
    private static final int HEADERS = 40;

    /** The MSS to set, or -1: clamp to the path MTU. */
    private final int mss;

    private TcpmssTarget(int mss) {
        this.mss = mss;
    }

    @Override
    public String name() {
        return "TCPMSS";
    }

    @Override
    int fire(XtPacket p) {
        if (p.sport == XtPacket.NONE || (p.tcpFlags & PortsMatch.SYN) == 0) {
            return CONTINUE;
        }
        int newMss = mss;
        if (newMss < 0) {
            DstEntry dst = p.pkt.dst();
            if (dst == null) {
                return CONTINUE;
            }
            newMss = dst.mtu() - HEADERS;
        }
        TcpSegment th = TcpSegment.wrap(p.pkt, p.l4);
        int end = Math.min(p.l4 + th.headerLength(), p.ipOff + p.len);
        for (int o = th.optionsOffset(); o < end; ) {
            int kind = p.pkt.u8(o);
            if (kind == TCPOPT_EOL) {
                break;
            }
            if (kind == TCPOPT_NOP) {
                o++;
                continue;
            }
            if (o + 1 >= end || p.pkt.u8(o + 1) < 2 || o + p.pkt.u8(o + 1) > end) {
                break;
            }
            if (kind == TCPOPT_MSS && p.pkt.u8(o + 1) == 4) {
                int old = p.pkt.u16(o + 2);
                if (old > newMss) {
                    p.pkt.setU16(o + 2, newMss);
                    // a partial checksum sums the options when it is finished; a full one is patched
                    if (!PartialChecksum.isAt(p.pkt, p.l4 + TcpSegment.CSUM_OFFSET)) {
                        th.setChecksum(Checksum.replace16(th.checksum(), old, newMss));
                    }
                }
                break;
            }
            o += p.pkt.u8(o + 1);
        }
        return CONTINUE;
    }

    @Override
    String check(Rule rule, Table table, int hooks) {
        if (mss < 0 && (hooks & ~CLAMP_HOOKS) != 0) {
            return "TCPMSS target: path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks";
        }
        for (Match m : rule.matches) {
            if (m instanceof PortsMatch pm && pm.matchesOnlySyn()) {
                return null;
            }
        }
        return "TCPMSS target: Only works on TCP SYN packets";
    }

    @Override
    void save(StringBuilder sb) {
        sb.append(mss < 0 ? " --clamp-mss-to-pmtu" : " --set-mss " + mss);
    }

    @Override
    void list(StringBuilder sb, boolean numeric) {
        sb.append(mss < 0 ? " TCPMSS clamp to PMTU" : " TCPMSS set " + mss);
    }

    static final class Parser implements TargetParser {
        private int mss = -2;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            switch (option) {
                case "--set-mss" -> {
                    check();
                    mss = Xt.number(option, w.value(option), 65535 - HEADERS);
                }
                case "--clamp-mss-to-pmtu" -> {
                    check();
                    mss = -1;
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private void check() {
            if (mss != -2) {
                throw IptablesException.usage("TCPMSS target: Only one option may be specified");
            }
        }

        @Override
        public Target build(RuleParser.Builder rule) {
            if (mss == -2) {
                throw IptablesException.usage("TCPMSS target: At least one parameter is required");
            }
            return new TcpmssTarget(mss);
        }
    }
}
