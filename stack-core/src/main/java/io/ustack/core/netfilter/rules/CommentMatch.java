package io.ustack.core.netfilter.rules;

/** The comment match: always matches, and carries up to 255 characters of text for whoever reads the rules. */
final class CommentMatch implements Match {
    /** XT_MAX_COMMENT_LEN - 1. */
    private static final int MAX = 255;

    private final String text;

    private CommentMatch(String text) {
        this.text = text;
    }

    @Override
    public String name() {
        return "comment";
    }

    @Override
    public boolean matches(XtPacket p) {
        return true;
    }

    @Override
    public void save(StringBuilder sb) {
        sb.append(" -m comment --comment ").append(Xt.quote(text));
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        sb.append(" /* ").append(text).append(" */");
    }

    static final class Parser implements MatchParser {
        private String text;

        @Override
        public boolean option(String option, boolean invert, Words w) {
            if (!option.equals("--comment")) {
                return false;
            }
            if (invert) {
                throw IptablesException.usage("comment: unexpected `!' flag before --comment");
            }
            text = w.value(option);
            if (text.length() > MAX) {
                throw IptablesException.usage("comment: Value \"" + text + "\" is too long (max " + MAX + " chars)");
            }
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (text == null) {
                throw IptablesException.usage("comment: option \"--comment\" must be specified");
            }
            return new CommentMatch(text);
        }
    }
}
