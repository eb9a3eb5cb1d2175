package io.ustack.cli.packetdrill;

import java.util.ArrayList;
import java.util.List;

/**
 * Tokens of the Python in a {@code %{ }%} snippet: names, numbers ({@code 10}, {@code 0x1f}, {@code 1_000},
 * {@code 1.5}), strings in single or double quotes, operators, and NEWLINE between statements (none inside
 * brackets, none after a backslash continuation). {@code #} comments are skipped; leading indentation is
 * ignored (the subset has no blocks).
 */
final class PyLexer {
    /** A token; {@code start} and {@code end} are offsets in the snippet, for quoting an assert's test. */
    record Tok(Kind kind, String text, Object value, int line, int start, int end) {
        boolean is(String op) {
            return (kind == Kind.OP || kind == Kind.NAME) && text.equals(op);
        }
    }

    /** Token kinds. */
    enum Kind {
        NAME, NUMBER, STRING, OP, NEWLINE, EOF
    }

    private static final String[] OPS = {
        "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", "+=", "-=", "*=", "/=",
        "+", "-", "*", "/", "%", "<", ">", "(", ")", "[", "]", "{", "}", ",", ";", ":", "=", "|", "&", "^",
        "~", ".", "@"
    };

    private final String text;
    private int pos;
    private int line;
    private int depth;

    private PyLexer(String text, int firstLine) {
        this.text = text;
        this.line = firstLine;
    }

    /** The snippet's tokens, ending with NEWLINE and EOF. */
    static List<Tok> tokenize(String text, int firstLine) throws PyParser.Unsupported {
        return new PyLexer(text, firstLine).all();
    }

    private List<Tok> all() throws PyParser.Unsupported {
        List<Tok> out = new ArrayList<>();
        while (true) {
            skipBlanks();
            if (pos >= text.length()) {
                break;
            }
            char c = text.charAt(pos);
            int start = pos;
            if (c == '\n') {
                pos++;
                if (depth == 0) {
                    out.add(new Tok(Kind.NEWLINE, "\n", null, line, start, pos));
                }
                line++;
            } else if (Character.isLetter(c) || c == '_') {
                while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                    pos++;
                }
                if (pos < text.length() && (text.charAt(pos) == '\'' || text.charAt(pos) == '"')) {
                    throw new PyParser.Unsupported(line, "string prefix " + text.substring(start, pos));
                }
                out.add(new Tok(Kind.NAME, text.substring(start, pos), null, line, start, pos));
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < text.length()
                    && Character.isDigit(text.charAt(pos + 1)))) {
                out.add(number());
            } else if (c == '\'' || c == '"') {
                out.add(string(c));
            } else {
                String op = null;
                for (String o : OPS) {
                    if (text.startsWith(o, pos)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw new PyParser.Unsupported(line, "character '" + c + "'");
                }
                pos += op.length();
                if (op.equals("(") || op.equals("[") || op.equals("{")) {
                    depth++;
                } else if ((op.equals(")") || op.equals("]") || op.equals("}")) && depth > 0) {
                    depth--;
                }
                out.add(new Tok(Kind.OP, op, null, line, start, pos));
            }
        }
        out.add(new Tok(Kind.NEWLINE, "\n", null, line, pos, pos));
        out.add(new Tok(Kind.EOF, "", null, line, pos, pos));
        return out;
    }

    private void skipBlanks() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                pos++;
            } else if (c == '\\' && pos + 1 < text.length() && text.charAt(pos + 1) == '\n') {
                pos += 2;
                line++;
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                return;
            }
        }
    }

    private Tok number() throws PyParser.Unsupported {
        int start = pos;
        String lower = text.substring(pos, Math.min(pos + 2, text.length())).toLowerCase();
        int radix = lower.equals("0x") ? 16 : lower.equals("0o") ? 8 : lower.equals("0b") ? 2 : 10;
        if (radix != 10) {
            pos += 2;
        }
        boolean isFloat = false;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '_' || Character.digit(c, radix) >= 0) {
                pos++;
            } else if (radix == 10 && c == '.' && !isFloat) {
                isFloat = true;
                pos++;
            } else if (radix == 10 && (c == 'e' || c == 'E')) {
                isFloat = true;
                pos++;
                if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                    pos++;
                }
            } else {
                break;
            }
        }
        if (pos < text.length() && (Character.isLetter(text.charAt(pos)))) {
            throw new PyParser.Unsupported(line, "number " + text.substring(start, pos + 1));
        }
        String s = text.substring(start, pos);
        String digits = s.replace("_", "");
        try {
            Object value = isFloat ? (Object) Double.parseDouble(digits)
                    : (Object) Long.parseLong(radix == 10 ? digits : digits.substring(2), radix);
            return new Tok(Kind.NUMBER, s, value, line, start, pos);
        } catch (NumberFormatException e) {
            throw new PyParser.Unsupported(line, "number " + s + " (out of the 64-bit range or malformed)");
        }
    }

    private Tok string(char quote) throws PyParser.Unsupported {
        int start = pos;
        int startLine = line;
        if (text.startsWith(String.valueOf(quote).repeat(3), pos)) {
            throw new PyParser.Unsupported(line, "triple-quoted strings");
        }
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length() || text.charAt(pos) == '\n') {
                throw new PyParser.Unsupported(startLine, "an unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == quote) {
                break;
            }
            if (c == '\\' && pos < text.length()) {
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case '0' -> sb.append('\0');
                    case '\\', '\'', '"' -> sb.append(e);
                    case '\n' -> line++;
                    default -> sb.append('\\').append(e);
                }
            } else {
                sb.append(c);
            }
        }
        return new Tok(Kind.STRING, text.substring(start, pos), sb.toString(), startLine, start, pos);
    }
}
