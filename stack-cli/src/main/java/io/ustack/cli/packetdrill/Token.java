package io.ustack.cli.packetdrill;

/**
 * One lexical token of a packetdrill script, as packetdrill's lexer.l returns them: its kind, its text as
 * written (quotes, backticks and {@code %{ }%} already removed for STRING, BACK_QUOTED and CODE) and the line
 * it starts on.
 */
record Token(Kind kind, String text, int line) {

    /** The token kinds of lexer.l; keywords are WORDs here and are recognised by the parser where they may stand. */
    enum Kind {
        /** {@code [-]?[0-9]+} */
        INTEGER,
        /** {@code 0x[0-9a-fA-F]+} */
        HEX_INTEGER,
        /** {@code [-]?[0-9]*[.][0-9]+}: times such as {@code .1} and {@code 1.5} */
        FLOAT,
        /** {@code [a-zA-Z0-9_]+}: names, flags, constants, hex blobs */
        WORD,
        /** a double-quoted string, without its quotes; backslash escapes kept as written */
        STRING,
        /** a backtick command, without its backticks */
        BACK_QUOTED,
        /** a {@code %{ ... }%} code snippet, without delimiters, spaces and tabs trimmed at both ends */
        CODE,
        /** {@code --name} of a {@code --name=value} option line, without the dashes */
        OPTION,
        /** {@code ...} */
        ELLIPSIS,
        /** a dotted-quad IPv4 address */
        IPV4_ADDR,
        /** an IPv6 address */
        IPV6_ADDR,
        /** any other single character, such as {@code < > : ( ) [ ] { } , = | + * ~ .} */
        PUNCT,
        /** the end of the script */
        EOF
    }

    boolean is(char c) {
        return kind == Kind.PUNCT && text.length() == 1 && text.charAt(0) == c;
    }

    boolean isWord(String word) {
        return kind == Kind.WORD && text.equals(word);
    }

    /** The token as packetdrill's parse errors quote it. */
    String quoted() {
        return switch (kind) {
            case EOF -> "end of file";
            case STRING -> '"' + text + '"';
            case BACK_QUOTED -> '`' + text + '`';
            case CODE -> "%{" + text + "}%";
            case OPTION -> "--" + text;
            default -> text;
        };
    }
}
