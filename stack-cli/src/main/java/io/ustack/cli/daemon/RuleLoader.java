package io.ustack.cli.daemon;

import io.ustack.core.stack.NetStack;

/**
 * Where the configuration file's firewall rules go: an engine that reads iptables-save's format, as
 * {@code iptables-restore} and {@code iptables-save} do. The daemon parses none of that text itself; it hands the
 * text over whole, so the rules have one parser, the engine's. {@link #forStack} is the one place an engine is
 * bound.
 */
public interface RuleLoader {
    /** What {@link #restore} refuses with while no engine is bound. */
    String UNBOUND = "rules in the configuration file need the iptables-restore engine, which this build does not "
            + "have yet; remove the rules key and add the rules with ustack nf";

    /**
     * Replaces every rule and policy with those of {@code rules}, all or nothing, as {@code iptables-restore}
     * without {@code --noflush} does. A configuration is checked by restoring its rules into a scratch stack's
     * engine first, so this is also the check.
     *
     * @throws IllegalArgumentException with one sentence naming the line of {@code rules} that is wrong; nothing
     *                                  has changed then
     */
    void restore(String rules);

    /**
     * The running rules in iptables-save's format, for {@code ustack save}; null if this engine cannot say them
     * (the file is then saved without rules).
     */
    String save();

    /** The engine bound to {@code stack}'s rules. */
    static RuleLoader forStack(NetStack stack) {
        return new RuleLoader() {
            @Override
            public void restore(String rules) {
                throw new IllegalArgumentException(UNBOUND);
            }

            @Override
            public String save() {
                return null;
            }
        };
    }
}
