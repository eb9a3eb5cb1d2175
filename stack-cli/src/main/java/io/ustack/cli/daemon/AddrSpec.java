package io.ustack.cli.daemon;

import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Prefix;

/**
 * An interface address in ip-addr's words, {@code A.B.C.D/P dev NAME} or {@code X:X::X/P dev NAME}, as
 * {@code ustack addr add} and {@code addr del} take it.
 *
 * @param prefix  the IPv4 address with its prefix length (a bare address is a /32, as ip takes it), or null
 * @param prefix6 the IPv6 address with its prefix length, or null
 * @param dev     the interface's name
 */
public record AddrSpec(Ipv4Prefix prefix, Ipv6Prefix prefix6, String dev) {
    private static final String FORM = "an address reads A.B.C.D/P dev NAME or X:X::X/P dev NAME";

    /**
     * Parses the words after {@code addr add} or {@code addr del}.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part, without the words
     *                                  themselves (the caller adds them)
     */
    public static AddrSpec parse(String text) {
        String[] words = text.trim().split("\\s+");
        if (words.length == 1) {
            throw new IllegalArgumentException("the interface is missing; " + FORM);
        }
        if (!words[1].equals("dev")) {
            throw new IllegalArgumentException("'" + words[1] + "' is not understood; " + FORM);
        }
        if (words.length == 2) {
            throw new IllegalArgumentException("'dev' needs an interface name");
        }
        if (words.length > 3) {
            throw new IllegalArgumentException("'" + words[3] + "' is not understood; " + FORM);
        }
        return of(words[0], words[2]);
    }

    /**
     * An address from its parts, as the control protocol's fields name them.
     *
     * @throws IllegalArgumentException whose message is one sentence naming the bad part
     */
    public static AddrSpec of(String address, String dev) {
        return address.indexOf(':') >= 0 ? new AddrSpec(null, IfaceSpec.address6("addr", address, "fd00:77::2/64"), dev)
                : new AddrSpec(IfaceSpec.address("addr", address, "10.77.0.2/24"), null, dev);
    }

    /** The address with its prefix length as ip writes it, of whichever family it is. */
    public String local() {
        return prefix6 != null ? prefix6.toString() : prefix.toString();
    }
}
