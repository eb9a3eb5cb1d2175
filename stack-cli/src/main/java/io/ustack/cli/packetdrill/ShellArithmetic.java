package io.ustack.cli.packetdrill;

/**
 * bash's arithmetic expansion {@code $((...))} on constants, as Linux's defaults.sh writes
 * {@code $((15*1024*1024))}: decimal, {@code 0x} hex and leading-zero octal integers, parentheses, unary
 * {@code - + ~ !}, {@code * / %}, {@code + -}, {@code << >>}, {@code & ^ |}, with 64-bit wrap-around as bash.
 * A variable, or anything else, is an IllegalArgumentException.
 */
final class ShellArithmetic {
    private static final int MAX_DEPTH = 100;

    private final String text;
    private int pos;
    private int depth;

    private ShellArithmetic(String text) {
        this.text = text;
    }

    static long evaluate(String expression) {
        ShellArithmetic a = new ShellArithmetic(expression);
        long v = a.or();
        a.blanks();
        if (a.pos != expression.length()) {
            throw new IllegalArgumentException("cannot evaluate $((" + expression + "))");
        }
        return v;
    }

    private long or() {
        long v = xor();
        while (peekOp("|")) {
            pos++;
            v |= xor();
        }
        return v;
    }

    private long xor() {
        long v = and();
        while (peekOp("^")) {
            pos++;
            v ^= and();
        }
        return v;
    }

    private long and() {
        long v = shift();
        while (peekOp("&")) {
            pos++;
            v &= shift();
        }
        return v;
    }

    private long shift() {
        long v = additive();
        while (true) {
            if (peekOp("<<")) {
                pos += 2;
                v <<= additive();
            } else if (peekOp(">>")) {
                pos += 2;
                v >>= additive();
            } else {
                return v;
            }
        }
    }

    private long additive() {
        long v = multiplicative();
        while (true) {
            if (peekOp("+")) {
                pos++;
                v += multiplicative();
            } else if (peekOp("-")) {
                pos++;
                v -= multiplicative();
            } else {
                return v;
            }
        }
    }

    private long multiplicative() {
        long v = unary();
        while (true) {
            char op = peekOp("*") ? '*' : peekOp("/") ? '/' : peekOp("%") ? '%' : 0;
            if (op == 0) {
                return v;
            }
            pos++;
            long rhs = unary();
            if (op != '*' && rhs == 0) {
                throw new IllegalArgumentException("division by 0 in $((" + text + "))");
            }
            v = op == '*' ? v * rhs : op == '/' ? v / rhs : v % rhs;
        }
    }

    private long unary() {
        blanks();
        if (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '-' || c == '+' || c == '~' || c == '!') {
                pos++;
                if (++depth > MAX_DEPTH) {
                    throw new IllegalArgumentException("operators nested too deep in $((...))");
                }
                long v = unary();
                depth--;
                return c == '-' ? -v : c == '+' ? v : c == '~' ? ~v : (v == 0 ? 1 : 0);
            }
            if (c == '(') {
                pos++;
                if (++depth > MAX_DEPTH) {
                    throw new IllegalArgumentException("parentheses nested too deep in $((...))");
                }
                long v = or();
                depth--;
                blanks();
                if (pos >= text.length() || text.charAt(pos) != ')') {
                    throw new IllegalArgumentException("missing ')' in $((" + text + "))");
                }
                pos++;
                return v;
            }
        }
        return number();
    }

    private long number() {
        blanks();
        int start = pos;
        while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
            pos++;
        }
        String s = text.substring(start, pos);
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            if (s.length() > 1 && s.startsWith("0")) {
                return Long.parseLong(s.substring(1), 8);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(s.isEmpty() ? "cannot evaluate $((" + text + "))"
                    : "'" + s + "' in $((" + text + ")) is not a constant");
        }
    }

    private boolean peekOp(String op) {
        blanks();
        if (!text.startsWith(op, pos)) {
            return false;
        }
        // '|' is not '||', '&' not '&&', '<<' is checked before '<' by the callers
        int after = pos + op.length();
        return !(op.length() == 1 && after < text.length() && text.charAt(after) == op.charAt(0)
                && "|&".indexOf(op.charAt(0)) >= 0);
    }

    private void blanks() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }
}
