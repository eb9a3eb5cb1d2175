package io.ustack.cli.daemon;

/**
 * A setting's text with where it came from, so a refusal can point there: a command-line flag with its
 * value ({@code --iface 'tap0,mtu=abc'}) or a line of the configuration file ({@code ustack.yaml, line 12}).
 *
 * @param text  the setting as written
 * @param where where it was written, as a refusal names it
 */
public record Sourced(String text, String where) {
    /** A value given as {@code option TEXT} on the command line. */
    public static Sourced flag(String option, String text) {
        return new Sourced(text, option + " '" + text + "'");
    }

    /** The refusal of this setting: {@code WHERE: WHY}. */
    public IllegalArgumentException refuse(String why) {
        return new IllegalArgumentException(where + ": " + why);
    }
}
