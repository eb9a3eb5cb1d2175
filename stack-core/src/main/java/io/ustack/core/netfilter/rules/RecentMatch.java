package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.Ipv4Address;

/**
 * The recent match (recent_mt): addresses remembered in a named list ({@link RecentTables}). {@code --set}
 * adds the packet's source (or, with {@code --rdest}, destination) under {@code --mask} and matches;
 * {@code --rcheck} matches an address in the list, {@code --update} does and stamps it again,
 * {@code --remove} matches and forgets it; with {@code --seconds} and {@code --hitcount} an address counts
 * only with that many packets in that many seconds, and {@code --reap} forgets what is older.
 */
final class RecentMatch implements Match {
    private enum Command { SET, CHECK, UPDATE, REMOVE }

    private final Command command;
    private final boolean invert;
    private final long seconds;
    private final int hitCount;
    private final boolean reap;
    private final String table;
    private final int mask;
    private final boolean dest;
    /** The table, found on the first packet (the tables belong to the stack, the rule only to its parser). */
    private volatile RecentTables.Table list;

    private RecentMatch(Parser p) {
        command = p.command;
        invert = p.invert;
        seconds = p.seconds;
        hitCount = p.hitCount;
        reap = p.reap;
        table = p.table;
        mask = p.mask;
        dest = p.dest;
    }

    @Override
    public String name() {
        return "recent";
    }

    @Override
    public boolean matches(XtPacket p) {
        RecentTables.Table t = list;
        if (t == null) {
            t = p.env.recent().table(table);
            list = t;
        }
        int addr = (dest ? p.daddr : p.saddr) & mask;
        long now = p.env.clock().nanos();
        long window = seconds > 0 ? seconds * 1_000_000_000L : -1;
        synchronized (t) {
            int e = t.find(addr);
            boolean ret = invert;
            if (command == Command.SET) {
                t.update(addr, e, now);
                return !ret;
            }
            if (e < 0) {
                return ret;
            }
            if (command == Command.REMOVE) {
                t.remove(e);
                return !ret;
            }
            if (seconds > 0 || hitCount > 0) {
                if (t.hits(e, now, window) >= Math.max(1, hitCount)) {
                    ret = !ret;
                }
                if (reap) {
                    t.reap(now, window);
                    e = t.find(addr);
                }
            } else {
                ret = !ret;
            }
            if (command == Command.UPDATE && ret != invert) {
                t.update(addr, e, now);
            }
            return ret;
        }
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(" -m recent").append(invert ? " !" : "").append(switch (command) {
            case SET -> " --set";
            case CHECK -> " --rcheck";
            case UPDATE -> " --update";
            case REMOVE -> " --remove";
        });
        if (seconds > 0) {
            sb.append(" --seconds ").append(seconds);
        }
        if (reap) {
            sb.append(" --reap");
        }
        if (hitCount > 0) {
            sb.append(" --hitcount ").append(hitCount);
        }
        sb.append(" --name ").append(table).append(" --mask ").append(Ipv4Address.format(mask))
                .append(dest ? " --rdest" : " --rsource");
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        sb.append(invert ? " ! recent: " : " recent: ").append(command.name());
        if (seconds > 0) {
            sb.append(" seconds: ").append(seconds);
        }
        if (reap) {
            sb.append(" reap");
        }
        if (hitCount > 0) {
            sb.append(" hit_count: ").append(hitCount);
        }
        sb.append(" name: ").append(table).append(" side: ").append(dest ? "dest" : "source").append(" mask: ")
                .append(Ipv4Address.format(mask));
    }

    static final class Parser implements MatchParser {
        /** XT_RECENT_NAME_LEN - 1. */
        private static final int MAX_NAME = 199;

        private Command command;
        private String commandOption;
        private boolean invert;
        private long seconds;
        private int hitCount;
        private boolean reap;
        private String table = "DEFAULT";
        private int mask = -1;
        private boolean dest;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            Command c = switch (option) {
                case "--set" -> Command.SET;
                case "--rcheck" -> Command.CHECK;
                case "--update" -> Command.UPDATE;
                case "--remove" -> Command.REMOVE;
                default -> null;
            };
            if (c != null) {
                if (command != null) {
                    throw IptablesException.usage("recent: option \"" + commandOption + "\" cannot be used together with \""
                            + option + "\".");
                }
                command = c;
                commandOption = option;
                this.invert = invert;
                return true;
            }
            switch (option) {
                case "--seconds" -> seconds = Xt.number(option, w.value(option), Integer.MAX_VALUE);
                case "--hitcount" -> {
                    hitCount = Xt.number(option, w.value(option), 65535);
                    if (hitCount > RecentTables.STAMPS) {
                        throw IptablesException.usage("recent: --hitcount can be at most " + RecentTables.STAMPS
                                + " (ip_pkt_list_tot)");
                    }
                }
                case "--reap" -> reap = true;
                case "--name" -> {
                    table = w.value(option);
                    if (table.isEmpty() || table.length() > MAX_NAME || table.contains("/")) {
                        throw IptablesException.usage("recent: bad name \"" + table + "\"");
                    }
                }
                case "--mask" -> mask = Xt.address(w.value(option));
                case "--rsource" -> dest = false;
                case "--rdest" -> dest = true;
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (command == null) {
                throw IptablesException.usage("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
            }
            if (reap && seconds == 0) {
                throw IptablesException.usage("recent: --reap needs --seconds");
            }
            return new RecentMatch(this);
        }
    }
}
