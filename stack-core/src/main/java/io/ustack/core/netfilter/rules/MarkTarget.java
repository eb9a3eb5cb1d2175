package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.conntrack.Conn;

/**
 * MARK (mark_tg: the packet's mark becomes {@code (mark & ~mask) ^ value}) and CONNMARK (connmark_tg: the
 * same on the connection's mark, or copying between the two with --save-mark and --restore-mark under
 * their masks). The walk goes on after either.
 */
final class MarkTarget extends Target {
    private enum Mode { MARK, CONN_SET, CONN_SAVE, CONN_RESTORE }

    private static final int ALL = 0xffffffff;

    private final Mode mode;
    private final int value;
    private final int mask;
    /** CONNMARK --save-mark/--restore-mark: the bits taken from the packet's mark and from the connection's. */
    private final int nfmask;
    private final int ctmask;

    private MarkTarget(Mode mode, int value, int mask, int nfmask, int ctmask) {
        this.mode = mode;
        this.value = value;
        this.mask = mask;
        this.nfmask = nfmask;
        this.ctmask = ctmask;
    }

    @Override
    public String name() {
        return mode == Mode.MARK ? "MARK" : "CONNMARK";
    }

    @Override
    boolean needsConntrack() {
        return mode != Mode.MARK;
    }

    @Override
    int fire(XtPacket p) {
        if (mode == Mode.MARK) {
            p.pkt.setMark((p.pkt.mark() & ~mask) ^ value);
            return CONTINUE;
        }
        Conn ct = p.pkt.nfct();
        if (ct == null) {
            return CONTINUE;
        }
        switch (mode) {
            case CONN_SET -> ct.setMark((ct.mark() & ~mask) ^ value);
            case CONN_SAVE -> ct.setMark((ct.mark() & ~ctmask) ^ (p.pkt.mark() & nfmask));
            default -> p.pkt.setMark((p.pkt.mark() & ~nfmask) ^ (ct.mark() & ctmask));
        }
        return CONTINUE;
    }

    @Override
    void save(StringBuilder sb) {
        switch (mode) {
            case MARK, CONN_SET -> sb.append(" --set-xmark ").append(Xt.hex(value)).append('/').append(Xt.hex(mask));
            case CONN_SAVE, CONN_RESTORE -> sb.append(mode == Mode.CONN_SAVE ? " --save-mark" : " --restore-mark")
                    .append(" --nfmask ").append(Xt.hex(nfmask)).append(" --ctmask ").append(Xt.hex(ctmask));
        }
    }

    @Override
    void list(StringBuilder sb, boolean numeric) {
        sb.append(' ').append(name());
        switch (mode) {
            case MARK, CONN_SET -> {
                if (mask == ALL) {
                    sb.append(" set ").append(Xt.hex(value));
                } else if (mode == Mode.MARK && value == 0) {
                    sb.append(" and ").append(Xt.hex(~mask));
                } else if (mode == Mode.MARK && value == mask) {
                    sb.append(" or ").append(Xt.hex(value));
                } else if (mode == Mode.MARK && mask == 0) {
                    sb.append(" xor ").append(Xt.hex(value));
                } else {
                    sb.append(" xset ").append(Xt.hex(value)).append('/').append(Xt.hex(mask));
                }
            }
            default -> {
                sb.append(mode == Mode.CONN_SAVE ? " save" : " restore");
                if (nfmask != ALL || ctmask != ALL) {
                    sb.append(" nfmask ").append(Xt.hex(nfmask)).append(" ctmask ~").append(Xt.hex(~ctmask));
                }
            }
        }
    }

    static final class Parser implements TargetParser {
        private final boolean connmark;
        private Mode mode;
        private long value;
        private long mask = 0xffffffffL;
        private long nfmask = 0xffffffffL;
        private long ctmask = 0xffffffffL;

        Parser(boolean connmark) {
            this.connmark = connmark;
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            Mode set = connmark ? Mode.CONN_SET : Mode.MARK;
            switch (option) {
                case "--set-xmark", "--set-mark" -> {
                    long[] vm = Xt.valueMask(option, w.value(option));
                    mode(set);
                    value = vm[0];
                    // --set-mark V/M zeroes M and sets V: as an xmark, the mask also covers V
                    mask = option.equals("--set-mark") ? vm[1] | vm[0] : vm[1];
                }
                case "--and-mark", "--or-mark", "--xor-mark" -> {
                    long v = Xt.valueMask(option, w.value(option))[0];
                    mode(set);
                    value = option.equals("--and-mark") ? 0 : v;
                    mask = option.equals("--and-mark") ? ~v & 0xffffffffL : option.equals("--or-mark") ? v : 0;
                }
                case "--save-mark", "--restore-mark" -> {
                    if (!connmark) {
                        return false;
                    }
                    mode(option.equals("--save-mark") ? Mode.CONN_SAVE : Mode.CONN_RESTORE);
                }
                case "--nfmask", "--ctmask", "--mask" -> {
                    if (!connmark) {
                        return false;
                    }
                    long m = Xt.valueMask(option, w.value(option))[0];
                    if (!option.equals("--ctmask")) {
                        nfmask = m;
                    }
                    if (!option.equals("--nfmask")) {
                        ctmask = m;
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private void mode(Mode m) {
            if (mode != null) {
                throw IptablesException.usage(connmark ? "CONNMARK target: Can't specify more than one mode"
                        : "MARK target: Can't specify --set-xmark and another option");
            }
            mode = m;
        }

        @Override
        public Target build(RuleParser.Builder rule) {
            if (mode == null) {
                throw IptablesException.usage(connmark ? "CONNMARK target: No operation specified"
                        : "MARK target: Parameter --set/and/or/xor-mark is required");
            }
            return new MarkTarget(mode, (int) value, (int) mask, (int) nfmask, (int) ctmask);
        }
    }
}
