package io.ustack.core.netfilter.rules;

import io.ustack.core.wire.Ipv4Address;

/** What the matches and targets share in reading and printing their options (libxtables' helpers). */
final class Xt {
    private Xt() {
    }

    /** xtables_strtoui: a decimal or 0x-hexadecimal number from 0 to {@code max}, or -1. */
    static long number(String v, long max) {
        try {
            long n;
            if (v.startsWith("0x") || v.startsWith("0X")) {
                n = Long.parseLong(v.substring(2), 16);
            } else if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                n = Long.parseLong(v);
            } else {
                return -1;
            }
            return n >= 0 && n <= max ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A number from 0 to {@code max}, or the usage error iptables gives for {@code option}. */
    static int number(String option, String v, int max) {
        long n = number(v, max);
        if (n < 0) {
            throw IptablesException.usage("Bad value for \"" + option + "\" option: \"" + v + "\"");
        }
        return (int) n;
    }

    /** VALUE[/MASK] as mark matches and targets take it; the mask is all ones when absent. */
    static long[] valueMask(String option, String v) {
        int slash = v.indexOf('/');
        long value = number(slash < 0 ? v : v.substring(0, slash), 0xffffffffL);
        long mask = slash < 0 ? 0xffffffffL : number(v.substring(slash + 1), 0xffffffffL);
        if (value < 0 || mask < 0) {
            throw IptablesException.usage("Bad value for \"" + option + "\" option: \"" + v + "\"");
        }
        return new long[] {value, mask};
    }

    /** A port number, or a service's name for {@code proto} ("tcp", "udp") from /etc/services. */
    static int port(String v, String proto) {
        long n = number(v, 65535);
        if (n < 0 && !v.isEmpty() && !Character.isDigit(v.charAt(0))) {
            n = Services.port(v, proto);
        }
        if (n < 0 || v.startsWith("0x")) {
            throw IptablesException.usage("invalid port/service `" + v + "' specified");
        }
        return (int) n;
    }

    /** PORT, LO:HI, LO: (to 65535) or :HI (from 0), as xtables_parse_port_range reads them. */
    static int[] portRange(String v, String proto) {
        int colon = v.indexOf(':');
        if (colon < 0) {
            int p = port(v, proto);
            return new int[] {p, p};
        }
        String l = v.substring(0, colon);
        String h = v.substring(colon + 1);
        int lo = l.isEmpty() ? 0 : port(l, proto);
        int hi = h.isEmpty() ? 65535 : port(h, proto);
        if (lo > hi) {
            throw IptablesException.usage("invalid portrange (min > max)");
        }
        return new int[] {lo, hi};
    }

    /** A port range as -L prints it: numbers with -n ({@code proto} null), else names where ports have them. */
    static String portRange(int lo, int hi, String proto) {
        if (proto == null) {
            return range(lo, hi);
        }
        String l = Services.name(lo, proto);
        return lo == hi ? l : l + ":" + Services.name(hi, proto);
    }

    /** An IPv4 address in dotted quad, or the usage error "host/network ... not found". */
    static int address(String v) {
        try {
            return Ipv4Address.parse(v);
        } catch (IllegalArgumentException e) {
            throw IptablesException.usage("host/network `" + v + "' not found");
        }
    }

    /** 0x%x. */
    static String hex(long v) {
        return "0x" + Long.toHexString(v & 0xffffffffL);
    }

    /** 0x%02x. */
    static String hex2(int v) {
        return String.format("0x%02x", v);
    }

    /** " ! OPTION" or " OPTION": the inversion goes before the option in iptables-save's form. */
    static void saveOption(StringBuilder sb, boolean invert, String option) {
        sb.append(invert ? " ! " : " ").append(option);
    }

    /**
     * xtables_save_string: a value as iptables-save writes it, bare when it is one plain word, else in
     * double quotes with '"' and '\' escaped, so that iptables-restore reads it back whole.
     */
    static String quote(String v) {
        boolean plain = !v.isEmpty() && v.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_'
                || c == '.' || c == '/' || c == ':' || c == '+' || c == '@' || c == ',');
        if (plain) {
            return v;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** lo or lo:hi, as port ranges and lengths print. */
    static String range(int lo, int hi) {
        return lo == hi ? Integer.toString(lo) : lo + ":" + hi;
    }
}
