package io.ustack.cli.packetdrill;

import io.ustack.cli.packetdrill.PyLexer.Kind;
import io.ustack.cli.packetdrill.PyLexer.Tok;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses the Python subset Linux's packetdrill tests write in {@code %{ }%}: statements {@code assert TEST[,
 * MESSAGE]}, {@code NAME = EXPR} and {@code pass}, separated by newlines or {@code ;}; expressions with
 * Python's precedence ({@code or}, {@code and}, {@code not}, chained comparisons, {@code | ^ &},
 * shifts, {@code + -}, {@code * / // %}, unary {@code - + ~}, {@code **}), parentheses and tuples, integer,
 * float and string literals, {@code True False None}, names, and the builtins {@code abs min max int}.
 * Anything else (blocks, lists, attributes, other keywords) is {@link Unsupported} with its line.
 */
final class PyParser {
    /** A construct outside the subset (or not Python at all), with the line it is on. */
    static final class Unsupported extends Exception {
        private final int line;

        Unsupported(int line, String what) {
            super(what, null, false, false);
            this.line = line;
        }

        int line() {
            return line;
        }
    }

    private static final Set<String> KEYWORDS = Set.of(
            "if", "elif", "else", "for", "while", "def", "class", "import", "from", "return", "lambda",
            "in", "is", "try", "except", "finally", "with", "yield", "global", "nonlocal", "del", "raise",
            "assert", "pass", "and", "or", "not", "True", "False", "None", "async", "await", "break", "continue");
    private static final Set<String> COMPARISONS = Set.of("<", ">", "==", ">=", "<=", "!=");
    private static final Set<String> BUILTINS = Set.of("abs", "min", "max", "int");

    /** Brackets deeper than this are refused rather than risking the parser's stack. */
    private static final int MAX_DEPTH = 100;

    private final String text;
    private final List<Tok> toks;
    private int at;
    private int depth;

    private PyParser(String text, List<Tok> toks) {
        this.text = text;
        this.toks = toks;
    }

    /** The statements of a snippet whose first line is {@code firstLine} of the script. */
    static List<PyNode.Statement> parse(String text, int firstLine) throws Unsupported {
        return new PyParser(text, PyLexer.tokenize(text, firstLine)).program();
    }

    private List<PyNode.Statement> program() throws Unsupported {
        List<PyNode.Statement> out = new ArrayList<>();
        while (peek().kind() != Kind.EOF) {
            if (peek().kind() == Kind.NEWLINE || peek().is(";")) {
                at++;
                continue;
            }
            out.add(statement());
            if (peek().kind() != Kind.NEWLINE && !peek().is(";")) {
                throw unexpected("after a statement");
            }
        }
        return out;
    }

    private PyNode.Statement statement() throws Unsupported {
        Tok t = peek();
        if (t.kind() == Kind.NAME && t.text().equals("assert")) {
            at++;
            int start = peek().start();
            PyNode test = test();
            String source = text.substring(start, toks.get(at - 1).end());
            PyNode message = null;
            if (peek().is(",")) {
                at++;
                message = test();
            }
            return new PyNode.Assert(t.line(), test, source, message);
        }
        if (t.kind() == Kind.NAME && t.text().equals("pass")) {
            at++;
            return new PyNode.Pass(t.line());
        }
        if (t.kind() == Kind.NAME && !KEYWORDS.contains(t.text()) && toks.get(at + 1).is("=")) {
            at += 2;
            return new PyNode.Assign(t.line(), t.text(), test());
        }
        if (t.kind() == Kind.NAME && KEYWORDS.contains(t.text())) {
            throw new Unsupported(t.line(), "'" + t.text() + "' statements (only assert, NAME = EXPR and pass)");
        }
        throw new Unsupported(t.line(), "statement starting with '" + t.text()
                + "' (only assert, NAME = EXPR and pass)");
    }

    /** {@code test}: {@code or_test}; a conditional expression is unsupported. */
    private PyNode test() throws Unsupported {
        PyNode e = orTest();
        if (peek().is("if")) {
            throw new Unsupported(peek().line(), "conditional expressions (x if c else y)");
        }
        return e;
    }

    private PyNode orTest() throws Unsupported {
        PyNode e = andTest();
        while (peek().is("or")) {
            at++;
            e = new PyNode.BoolOp(false, e, andTest());
        }
        return e;
    }

    private PyNode andTest() throws Unsupported {
        PyNode e = notTest();
        while (peek().is("and")) {
            at++;
            e = new PyNode.BoolOp(true, e, notTest());
        }
        return e;
    }

    private PyNode notTest() throws Unsupported {
        int nots = 0;
        while (peek().is("not")) {
            at++;
            nots++;
        }
        PyNode e = comparison();
        for (int i = 0; i < nots; i++) {
            e = new PyNode.Not(e);
        }
        return e;
    }

    private PyNode comparison() throws Unsupported {
        int line = peek().line();
        PyNode first = bitOr();
        List<PyNode> operands = new ArrayList<>(List.of(first));
        List<String> ops = new ArrayList<>();
        while (true) {
            Tok t = peek();
            if (t.kind() == Kind.OP && COMPARISONS.contains(t.text())) {
                at++;
                ops.add(t.text());
                operands.add(bitOr());
            } else if (t.is("in") || t.is("is") || (t.is("not") && toks.get(at + 1).is("in"))) {
                throw new Unsupported(t.line(), "'" + t.text() + "' comparisons");
            } else {
                break;
            }
        }
        return ops.isEmpty() ? first : new PyNode.Compare(operands, ops, line);
    }

    private PyNode bitOr() throws Unsupported {
        PyNode e = bitXor();
        while (peek().is("|")) {
            e = binary(e, this::bitXor);
        }
        return e;
    }

    private PyNode bitXor() throws Unsupported {
        PyNode e = bitAnd();
        while (peek().is("^")) {
            e = binary(e, this::bitAnd);
        }
        return e;
    }

    private PyNode bitAnd() throws Unsupported {
        PyNode e = shift();
        while (peek().is("&")) {
            e = binary(e, this::shift);
        }
        return e;
    }

    private PyNode shift() throws Unsupported {
        PyNode e = arith();
        while (peek().is("<<") || peek().is(">>")) {
            e = binary(e, this::arith);
        }
        return e;
    }

    private PyNode arith() throws Unsupported {
        PyNode e = term();
        while (peek().is("+") || peek().is("-")) {
            e = binary(e, this::term);
        }
        return e;
    }

    private PyNode term() throws Unsupported {
        PyNode e = factor();
        while (peek().is("*") || peek().is("/") || peek().is("//") || peek().is("%")) {
            e = binary(e, this::factor);
        }
        return e;
    }

    private interface Level {
        PyNode parse() throws Unsupported;
    }

    private PyNode binary(PyNode lhs, Level rhs) throws Unsupported {
        Tok op = toks.get(at++);
        return new PyNode.Binary(op.text(), lhs, rhs.parse(), op.line());
    }

    private PyNode factor() throws Unsupported {
        Tok t = peek();
        if (++depth > MAX_DEPTH) {
            throw new Unsupported(t.line(), "expressions nested more than " + MAX_DEPTH + " deep");
        }
        try {
            return unaryOrPower(t);
        } finally {
            depth--;
        }
    }

    private PyNode unaryOrPower(Tok t) throws Unsupported {
        if (t.is("-") || t.is("+") || t.is("~")) {
            at++;
            return new PyNode.Unary(t.text(), factor(), t.line());
        }
        return power();
    }

    private PyNode power() throws Unsupported {
        PyNode base = atom();
        if (peek().is("**")) {
            Tok op = toks.get(at++);
            return new PyNode.Binary("**", base, factor(), op.line());
        }
        return base;
    }

    private PyNode atom() throws Unsupported {
        Tok t = peek();
        PyNode e;
        switch (t.kind()) {
            case NUMBER -> {
                at++;
                e = new PyNode.Literal(t.value());
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder();
                while (peek().kind() == Kind.STRING) {
                    sb.append(toks.get(at++).value());
                }
                e = new PyNode.Literal(sb.toString());
            }
            case NAME -> e = name(t);
            case OP -> {
                if (!t.is("(")) {
                    throw t.is("[") || t.is("{") ? new Unsupported(t.line(), "lists, dicts and sets")
                            : unexpected("where a value should be");
                }
                at++;
                e = parenthesised();
            }
            default -> throw unexpected("where a value should be");
        }
        if (peek().is(".") || peek().is("[") || peek().is("(")) {
            throw new Unsupported(peek().line(), "attributes, subscripts and calls of '" + peek().text() + "'");
        }
        return e;
    }

    private PyNode name(Tok t) throws Unsupported {
        at++;
        switch (t.text()) {
            case "True":
                return new PyNode.Literal(Boolean.TRUE);
            case "False":
                return new PyNode.Literal(Boolean.FALSE);
            case "None":
                return new PyNode.Literal(PyNode.NONE);
            default:
                break;
        }
        if (KEYWORDS.contains(t.text())) {
            throw new Unsupported(t.line(), "'" + t.text() + "' here");
        }
        if (!peek().is("(")) {
            return new PyNode.Name(t.text(), t.line());
        }
        if (!BUILTINS.contains(t.text())) {
            throw new Unsupported(t.line(), "function " + t.text() + "() (only abs, min, max and int)");
        }
        at++;
        List<PyNode> args = new ArrayList<>();
        while (!peek().is(")")) {
            args.add(test());
            if (peek().is(",")) {
                at++;
            } else if (!peek().is(")")) {
                throw unexpected("in the arguments of " + t.text() + "()");
            }
        }
        at++;
        return new PyNode.Call(t.text(), args, t.line());
    }

    /** After {@code (}: {@code ()}, {@code (x)} or a tuple {@code (x, y[,])}. */
    private PyNode parenthesised() throws Unsupported {
        List<PyNode> items = new ArrayList<>();
        boolean tuple = false;
        while (!peek().is(")")) {
            items.add(test());
            if (peek().is(",")) {
                at++;
                tuple = true;
            } else if (!peek().is(")")) {
                throw unexpected("inside parentheses");
            }
        }
        at++;
        return tuple || items.isEmpty() ? new PyNode.Tuple(items) : items.get(0);
    }

    private Tok peek() {
        return toks.get(at);
    }

    private Unsupported unexpected(String where) {
        Tok t = peek();
        String what = t.kind() == Kind.NEWLINE ? "end of line" : t.kind() == Kind.EOF ? "end of snippet"
                : "'" + t.text() + "'";
        return new Unsupported(t.line(), "invalid syntax: " + what + " " + where);
    }
}
