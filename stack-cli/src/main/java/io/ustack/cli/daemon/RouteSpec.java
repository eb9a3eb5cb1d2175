package io.ustack.cli.daemon;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv4Prefix;

/**
 * One {@code --route}, in ip-route's words: {@code PREFIX via GATEWAY}, {@code PREFIX dev NAME} (both may
 * be given), with {@code default} for 0.0.0.0/0.
 *
 * @param prefix  the destination network
 * @param gateway the next hop, or 0 for a route straight out of {@code dev}
 * @param dev     the --iface name, or null to take the device from the gateway's connected network
 */
public record RouteSpec(Ipv4Prefix prefix, int gateway, String dev) {
    private static final String FORMS = "PREFIX via GATEWAY, PREFIX dev NAME or default via GATEWAY";

    /**
     * Parses a ROUTE.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part, without the ROUTE
     *                                  itself (the caller adds it)
     */
    public static RouteSpec parse(String route) {
        String[] words = route.trim().split("\\s+");
        if (words[0].isEmpty()) {
            throw new IllegalArgumentException("a route needs a destination, like '10.0.0.0/8 via 10.77.0.1'");
        }
        String via = null;
        String dev = null;
        for (int i = 1; i < words.length; i += 2) {
            String word = words[i];
            if (!word.equals("via") && !word.equals("dev")) {
                throw new IllegalArgumentException("'" + word + "' is not understood; a route reads " + FORMS);
            }
            if (i + 1 == words.length) {
                throw new IllegalArgumentException("'" + word + "' needs " + (word.equals("via") ? "a gateway address" : "an interface name"));
            }
            if (word.equals("via") ? via != null : dev != null) {
                throw new IllegalArgumentException("'" + word + "' is given twice");
            }
            if (word.equals("via")) {
                via = words[i + 1];
            } else {
                dev = words[i + 1];
            }
        }
        return of(words[0], via, dev);
    }

    /**
     * A route from its parts, as ip-route's words or the control protocol's fields name them.
     *
     * @param dst a prefix or {@code default}
     * @param via the gateway's address, or null
     * @param dev the interface's name, or null; one of {@code via} and {@code dev} is needed
     * @throws IllegalArgumentException whose message is one sentence naming the bad part
     */
    public static RouteSpec of(String dst, String via, String dev) {
        Ipv4Prefix prefix = destination(dst);
        int gateway = 0;
        if (via != null) {
            gateway = Ipv4Address.parse(via);
            if (gateway == Ipv4Address.ANY) {
                throw new IllegalArgumentException("the gateway cannot be 0.0.0.0");
            }
        }
        if (via == null && dev == null) {
            throw new IllegalArgumentException("a route needs 'via GATEWAY' or 'dev NAME'; it reads " + FORMS);
        }
        return new RouteSpec(prefix, gateway, dev);
    }

    /**
     * A route's destination: {@code A.B.C.D/P}, a bare address (a /32) or {@code default}; host bits are
     * refused, as ip-route refuses them.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part
     */
    public static Ipv4Prefix destination(String dst) {
        Ipv4Prefix prefix = dst.equals("default") ? new Ipv4Prefix(Ipv4Address.ANY, 0) : Ipv4Prefix.parse(dst);
        if (prefix.address() != prefix.network()) {
            throw new IllegalArgumentException("'" + dst + "' has host bits set; did you mean "
                    + new Ipv4Prefix(prefix.network(), prefix.prefixLen()) + "?");
        }
        return prefix;
    }

    /** As ip-route shows it: {@code 10.0.0.0/8 via 10.77.0.1 dev tap0}. */
    public String describe() {
        return (prefix.prefixLen() == 0 ? "default" : prefix.toString())
                + (gateway == 0 ? "" : " via " + Ipv4Address.format(gateway)) + (dev == null ? "" : " dev " + dev);
    }
}
