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
        Ipv4Prefix prefix = words[0].equals("default") ? new Ipv4Prefix(Ipv4Address.ANY, 0) : Ipv4Prefix.parse(words[0]);
        if (prefix.address() != prefix.network()) {
            throw new IllegalArgumentException("'" + words[0] + "' has host bits set; did you mean "
                    + new Ipv4Prefix(prefix.network(), prefix.prefixLen()) + "?");
        }
        int gateway = 0;
        String dev = null;
        for (int i = 1; i < words.length; i += 2) {
            String word = words[i];
            if (!word.equals("via") && !word.equals("dev")) {
                throw new IllegalArgumentException("'" + word + "' is not understood; a route reads " + FORMS);
            }
            if (i + 1 == words.length) {
                throw new IllegalArgumentException("'" + word + "' needs " + (word.equals("via") ? "a gateway address" : "an interface name"));
            }
            if (word.equals("via") ? gateway != 0 : dev != null) {
                throw new IllegalArgumentException("'" + word + "' is given twice");
            }
            if (word.equals("via")) {
                gateway = Ipv4Address.parse(words[i + 1]);
                if (gateway == Ipv4Address.ANY) {
                    throw new IllegalArgumentException("the gateway cannot be 0.0.0.0");
                }
            } else {
                dev = words[i + 1];
            }
        }
        if (gateway == 0 && dev == null) {
            throw new IllegalArgumentException("a route needs 'via GATEWAY' or 'dev NAME'; it reads " + FORMS);
        }
        return new RouteSpec(prefix, gateway, dev);
    }

    /** As ip-route shows it: {@code 10.0.0.0/8 via 10.77.0.1 dev tap0}. */
    public String describe() {
        return (prefix.prefixLen() == 0 ? "default" : prefix.toString())
                + (gateway == 0 ? "" : " via " + Ipv4Address.format(gateway)) + (dev == null ? "" : " dev " + dev);
    }
}
