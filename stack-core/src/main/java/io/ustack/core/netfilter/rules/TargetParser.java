package io.ustack.core.netfilter.rules;

/** Reads a target's options from a rule (an xtables_target's parse and final_check). */
interface TargetParser {
    /** Takes {@code option} and its values from {@code w}; false if it is not this target's option. */
    boolean option(String option, boolean invert, Words w);

    /** The target, once every option was read. */
    Target build(RuleParser.Builder rule);
}
