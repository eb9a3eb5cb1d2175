package io.ustack.core.netfilter.rules;

/**
 * Reads one match's options from a rule (an xtables_match's parse and final_check). One instance per
 * match in a rule; {@link RuleParser} offers it each option it meets after {@code -m NAME}.
 */
interface MatchParser {
    /**
     * Takes {@code option} ({@code invert}: a '!' came before it) and its values from {@code w}; false if it
     * is not this match's option.
     */
    boolean option(String option, boolean invert, Words w);

    /** The match, once every option was read; {@code rule} has the rule's protocol for matches that need one. */
    Match build(RuleParser.Builder rule);
}
