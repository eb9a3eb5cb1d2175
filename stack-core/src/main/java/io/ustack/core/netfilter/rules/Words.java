package io.ustack.core.netfilter.rules;

import java.util.List;

/** A cursor over a command line's words, for options that take one or more values. */
final class Words {
    private final List<String> words;
    private int next;

    Words(List<String> words) {
        this.words = words;
    }

    boolean hasNext() {
        return next < words.size();
    }

    String peek() {
        return words.get(next);
    }

    String next() {
        return words.get(next++);
    }

    /** The value after {@code option}; its absence is xtables' "requires an argument". */
    String value(String option) {
        if (!hasNext()) {
            throw IptablesException.usage("option \"" + option + "\" requires an argument");
        }
        return next();
    }
}
