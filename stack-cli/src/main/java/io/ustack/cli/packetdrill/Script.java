package io.ustack.cli.packetdrill;

import java.util.List;

/**
 * A parsed packetdrill script, as parser.y's {@code script} rule: the {@code --name=value} option lines at
 * the top, an optional init command (a backtick command before the first event, no time), the events, and
 * an optional cleanup command (a backtick command after the last event, no time).
 *
 * @param path the script's name as given, used in every message
 * @param init the untimed command before the events, or null
 * @param cleanup the untimed command after the events, or null
 */
record Script(String path, List<Option> options, Action.Command init, List<Event> events,
              Action.Command cleanup) {

    Script {
        options = List.copyOf(options);
        events = List.copyOf(events);
    }

    /**
     * One {@code --name=value} (or bare {@code --name}) line, such as {@code --tolerance_usecs=10000}.
     *
     * @param value the value as written ({@code WORD=WORD} and {@code WORD="..."} kept whole, as packetdrill's
     *              {@code --define=X=Y}); null for a bare flag
     */
    record Option(int line, String name, String value) {
    }

    /** The value of the last {@code --name=...} line, or null. */
    String option(String name) {
        String value = null;
        for (Option o : options) {
            if (o.name().equals(name)) {
                value = o.value();
            }
        }
        return value;
    }
}
