package io.ustack.it.docker;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads iputils ping's summary. */
final class Ping {
    private static final Pattern RECEIVED = Pattern.compile("(\\d+) (packets )?received");

    private Ping() {
    }

    /** The replies ping counted, or -1 when it printed no summary. */
    static int received(String output) {
        Matcher m = RECEIVED.matcher(output);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
