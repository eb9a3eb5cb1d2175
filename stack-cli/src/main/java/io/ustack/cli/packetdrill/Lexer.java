package io.ustack.cli.packetdrill;

import io.ustack.cli.packetdrill.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts a packetdrill script into tokens the way packetdrill's lexer.l (flex) does: the longest match wins,
 * a tie goes to the rule listed first (so {@code 123} is an INTEGER and {@code 0x1f} a HEX_INTEGER, not
 * WORDs, while {@code 000102abcd} is a WORD), whitespace, {@code //} and {@code /* *&#47;} comments are
 * skipped, and {@code `...`} commands and {@code %{ ... }%} code snippets are single tokens even across
 * lines. Keywords ({@code ack}, {@code win}, {@code mss}, {@code msg_iov}...) stay WORDs: the parser knows
 * where they have a meaning.
 */
final class Lexer {
    private static final Pattern FLOAT = Pattern.compile("-?[0-9]*\\.[0-9]+");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
    private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]+");
    private static final Pattern WORD = Pattern.compile("[a-zA-Z0-9_]+");
    private static final Pattern OPTION = Pattern.compile("--[a-zA-Z0-9_]+");
    private static final Pattern IPV4 = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+");
    private static final String SEG = "[0-9a-fA-F]{1,4}";
    /** Full eight groups, or a form with "::" (so that sequence ranges like 1:1001 never look like one). */
    private static final Pattern IPV6 = Pattern.compile(
            "(?:" + SEG + "(?::" + SEG + "){7})"
            + "|(?:(?:" + SEG + "(?::" + SEG + ")*)?::(?:" + SEG + "(?::" + SEG + ")*)?"
            + "(?::[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+)?)");
    /** The rules that compete by length, in lexer.l's order (the first wins a tie). */
    private static final Pattern[] RULES = {OPTION, FLOAT, INTEGER, HEX, WORD, IPV4, IPV6};
    private static final Kind[] KINDS = {
        Kind.OPTION, Kind.FLOAT, Kind.INTEGER, Kind.HEX_INTEGER, Kind.WORD, Kind.IPV4_ADDR, Kind.IPV6_ADDR
    };

    private final String file;
    private final String text;
    private final Matcher matcher;
    private int pos;
    private int line = 1;

    private Lexer(String file, String text) {
        this.file = file;
        this.text = text;
        this.matcher = IPV4.matcher(text);
    }

    /** All tokens of {@code text}, ending with one EOF token. */
    static List<Token> tokenize(String file, String text) throws ScriptError {
        return new Lexer(file, text).all();
    }

    private List<Token> all() throws ScriptError {
        List<Token> tokens = new ArrayList<>();
        Token t;
        do {
            t = next();
            tokens.add(t);
        } while (t.kind() != Kind.EOF);
        return tokens;
    }

    private Token next() throws ScriptError {
        skipBlanksAndComments();
        if (pos >= text.length()) {
            return new Token(Kind.EOF, "", line);
        }
        int startLine = line;
        char c = text.charAt(pos);
        if (c == '`') {
            int end = closing(pos + 1, '`', "unterminated backtick command");
            return token(Kind.BACK_QUOTED, text.substring(pos + 1, end), startLine, end + 1);
        }
        if (c == '"') {
            int end = closing(pos + 1, '"', "unterminated string");
            return token(Kind.STRING, text.substring(pos + 1, end), startLine, end + 1);
        }
        if (text.startsWith("%{", pos)) {
            int end = text.indexOf("}%", pos + 2);
            if (end < 0) {
                throw error(startLine, "%{", "unterminated %{ }% code snippet");
            }
            return token(Kind.CODE, trimSpacesAndTabs(text.substring(pos + 2, end)), startLine, end + 2);
        }
        if (text.startsWith("...", pos)) {
            return token(Kind.ELLIPSIS, "...", startLine, pos + 3);
        }
        int bestEnd = -1;
        Kind best = null;
        for (int i = 0; i < RULES.length; i++) {
            matcher.usePattern(RULES[i]).region(pos, text.length());
            if (matcher.lookingAt() && matcher.end() > bestEnd) {
                bestEnd = matcher.end();
                best = KINDS[i];
            }
        }
        if (best != null) {
            String s = text.substring(pos, bestEnd);
            return token(best, best == Kind.OPTION ? s.substring(2) : s, startLine, bestEnd);
        }
        return token(Kind.PUNCT, String.valueOf(c), startLine, pos + 1);
    }

    private Token token(Kind kind, String value, int startLine, int end) {
        for (int i = pos; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        pos = end;
        return new Token(kind, value, startLine);
    }

    /** The index of the closing {@code quote}, honouring backslash escapes as lexer.l's {@code (\\.|[^`])*}. */
    private int closing(int from, char quote, String what) throws ScriptError {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        throw error(line, String.valueOf(quote), what);
    }

    private void skipBlanksAndComments() throws ScriptError {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                pos++;
            } else if (text.startsWith("//", pos)) {
                int end = text.indexOf('\n', pos);
                pos = end < 0 ? text.length() : end;
            } else if (text.startsWith("/*", pos)) {
                int end = text.indexOf("*/", pos + 2);
                if (end < 0) {
                    throw error(line, "/*", "unterminated comment");
                }
                token(Kind.EOF, "", line, end + 2);
            } else {
                return;
            }
        }
    }

    private ScriptError error(int at, String tokenText, String what) {
        return ScriptError.parse(file, new Token(Kind.PUNCT, tokenText, at), what);
    }

    private static String trimSpacesAndTabs(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && (s.charAt(b) == ' ' || s.charAt(b) == '\t')) {
            b++;
        }
        while (e > b && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\t')) {
            e--;
        }
        return s.substring(b, e);
    }
}
