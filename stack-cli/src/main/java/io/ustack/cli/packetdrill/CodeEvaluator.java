package io.ustack.cli.packetdrill;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the {@code %{ }%} snippets of one script as packetdrill's Python would, for the subset {@link PyParser}
 * reads. packetdrill runs all of a script's snippets in one Python program, each preceded by assignments of
 * the symbols it defines ({@link #SYMBOLS}: TCP_ESTABLISHED..., TCP_CA_Open..., TCPI_OPT_...) and of the
 * tcp_info values taken at the snippet's time; so here one evaluator serves one script, its globals last
 * from snippet to snippet ({@code %{ TCP_INFINITE_SSTHRESH = 0x7fffffff }%} is seen by later ones), and each
 * {@link #run} first assigns the symbols and the map given ({@code tcpi_snd_cwnd}, {@code tcpi_rto},
 * {@code tcpi_ca_state}...). Integers are 64-bit (an overflow is reported, not wrapped), {@code /} gives a
 * float, {@code //} and {@code %} floor as Python's do, and {@code 'fmt' % args} formats ({@link PercentFormat}).
 * The first failed assert ends the snippet.
 */
final class CodeEvaluator {
    /** The names packetdrill's code.c assigns before each snippet, with Linux's values. */
    static final Map<String, Long> SYMBOLS = Map.ofEntries(
            Map.entry("TCP_ESTABLISHED", 1L), Map.entry("TCP_SYN_SENT", 2L), Map.entry("TCP_SYN_RECV", 3L),
            Map.entry("TCP_FIN_WAIT1", 4L), Map.entry("TCP_FIN_WAIT2", 5L), Map.entry("TCP_TIME_WAIT", 6L),
            Map.entry("TCP_CLOSE", 7L), Map.entry("TCP_CLOSE_WAIT", 8L), Map.entry("TCP_LAST_ACK", 9L),
            Map.entry("TCP_LISTEN", 10L), Map.entry("TCP_CLOSING", 11L),
            Map.entry("TCP_CA_Open", 0L), Map.entry("TCP_CA_Disorder", 1L), Map.entry("TCP_CA_CWR", 2L),
            Map.entry("TCP_CA_Recovery", 3L), Map.entry("TCP_CA_Loss", 4L),
            Map.entry("TCPI_OPT_TIMESTAMPS", 1L), Map.entry("TCPI_OPT_WSCALE", 4L), Map.entry("TCPI_OPT_ECN", 8L),
            Map.entry("TCPI_OPT_SYN_DATA", 32L));

    /** Python's globals: what snippets assigned, the symbols, and the values of the latest run. */
    private final Map<String, Object> globals = new HashMap<>();
    /** The names snippets assigned themselves. */
    private final Set<String> assigned = new HashSet<>();

    /** A Python runtime error (TypeError, ZeroDivisionError...) or an unknown name, with its line. */
    private static final class Raised extends Exception {
        final int line;
        final boolean unsupported;

        Raised(int line, String message, boolean unsupported) {
            super(message, null, false, false);
            this.line = line;
            this.unsupported = unsupported;
        }
    }

    /** Runs one snippet of the script, after assigning {@link #SYMBOLS} and {@code names} (tcp_info values). */
    CodeOutcome run(Action.Code code, Map<String, Long> names) {
        List<PyNode.Statement> program;
        try {
            program = PyParser.parse(code.text(), code.firstLine());
        } catch (PyParser.Unsupported e) {
            return new CodeOutcome.Unsupported(e.line(), e.getMessage());
        }
        globals.putAll(SYMBOLS);
        globals.putAll(names);
        return execute(program);
    }

    /**
     * The names the snippet reads that neither it (before reading them), earlier snippets nor {@link #SYMBOLS}
     * define, in order of appearance: what the runner must provide. Empty when the snippet is outside the subset
     * ({@link #run} says why).
     */
    Set<String> namesUsed(Action.Code code) {
        Set<String> used = new LinkedHashSet<>();
        Set<String> assigned = new HashSet<>(this.assigned);
        assigned.addAll(SYMBOLS.keySet());
        try {
            for (PyNode.Statement s : PyParser.parse(code.text(), code.firstLine())) {
                if (s instanceof PyNode.Assert a) {
                    collect(a.test(), used, assigned);
                    if (a.message() != null) {
                        collect(a.message(), used, assigned);
                    }
                } else if (s instanceof PyNode.Assign a) {
                    collect(a.value(), used, assigned);
                    assigned.add(a.name());
                }
            }
        } catch (PyParser.Unsupported e) {
            return Set.of();
        }
        return used;
    }

    private static void collect(PyNode n, Set<String> used, Set<String> assigned) {
        if (n instanceof PyNode.Name name) {
            if (!assigned.contains(name.name())) {
                used.add(name.name());
            }
        } else {
            for (PyNode child : children(n)) {
                collect(child, used, assigned);
            }
        }
    }

    private static List<PyNode> children(PyNode n) {
        if (n instanceof PyNode.Unary u) {
            return List.of(u.operand());
        } else if (n instanceof PyNode.Binary b) {
            return List.of(b.lhs(), b.rhs());
        } else if (n instanceof PyNode.BoolOp b) {
            return List.of(b.lhs(), b.rhs());
        } else if (n instanceof PyNode.Not not) {
            return List.of(not.operand());
        } else if (n instanceof PyNode.Compare c) {
            return c.operands();
        } else if (n instanceof PyNode.Tuple t) {
            return t.items();
        } else if (n instanceof PyNode.Call c) {
            return c.args();
        }
        return List.of();
    }

    private CodeOutcome execute(List<PyNode.Statement> program) {
        for (PyNode.Statement s : program) {
            try {
                if (s instanceof PyNode.Assert a && !truthy(eval(a.test()))) {
                    String message = a.message() == null ? null : PercentFormat.str(eval(a.message()));
                    return new CodeOutcome.AssertionFailed(a.line(), a.source(), message);
                } else if (s instanceof PyNode.Assign a) {
                    globals.put(a.name(), eval(a.value()));
                    assigned.add(a.name());
                }
            } catch (Raised e) {
                return e.unsupported ? new CodeOutcome.Unsupported(e.line, e.getMessage())
                        : new CodeOutcome.Error(e.line, e.getMessage());
            }
        }
        return new CodeOutcome.Passed();
    }

    private Object eval(PyNode n) throws Raised {
        if (n instanceof PyNode.Literal l) {
            return l.value();
        } else if (n instanceof PyNode.Name name) {
            Object v = globals.get(name.name());
            if (v == null) {
                throw new Raised(name.line(), "name '" + name.name() + "' (not a tcp_info field this runner has)",
                        true);
            }
            return v;
        } else if (n instanceof PyNode.Not not) {
            return !truthy(eval(not.operand()));
        } else if (n instanceof PyNode.BoolOp b) {
            Object lhs = eval(b.lhs());
            return truthy(lhs) == b.and() ? eval(b.rhs()) : lhs;
        } else if (n instanceof PyNode.Compare c) {
            Object lhs = eval(c.operands().get(0));
            for (int i = 0; i < c.ops().size(); i++) {
                Object rhs = eval(c.operands().get(i + 1));
                if (!compare(c.ops().get(i), lhs, rhs, c.line())) {
                    return false;
                }
                lhs = rhs;
            }
            return true;
        } else if (n instanceof PyNode.Unary u) {
            return unary(u.op(), eval(u.operand()), u.line());
        } else if (n instanceof PyNode.Binary b) {
            return binary(b.op(), eval(b.lhs()), eval(b.rhs()), b.line());
        } else if (n instanceof PyNode.Tuple t) {
            Object[] items = new Object[t.items().size()];
            for (int i = 0; i < items.length; i++) {
                items[i] = eval(t.items().get(i));
            }
            return List.of(items);
        }
        return call((PyNode.Call) n);
    }

    static boolean truthy(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof Double d) {
            return d != 0.0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> list) {
            return !list.isEmpty();
        }
        return false;
    }

    /** An int (a bool counts as one, as in Python), or null. */
    private static Long asLong(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        return null;
    }

    private static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Boolean || v instanceof Double;
    }

    private static double asDouble(Object v) {
        return v instanceof Double d ? d : asLong(v);
    }

    private boolean compare(String op, Object a, Object b, int line) throws Raised {
        int cmp;
        if (isNumber(a) && isNumber(b)) {
            Long la = asLong(a);
            Long lb = asLong(b);
            cmp = la != null && lb != null ? Long.compare(la, lb) : Double.compare(asDouble(a), asDouble(b));
        } else if (a instanceof String sa && b instanceof String sb) {
            cmp = sa.compareTo(sb);
        } else if (op.equals("==") || op.equals("!=")) {
            return op.equals("==") == a.equals(b);
        } else {
            throw typeError(line, "'" + op + "' not supported between instances of", a, b);
        }
        return switch (op) {
            case "<" -> cmp < 0;
            case "<=" -> cmp <= 0;
            case ">" -> cmp > 0;
            case ">=" -> cmp >= 0;
            case "==" -> cmp == 0;
            default -> cmp != 0;
        };
    }

    private Object unary(String op, Object v, int line) throws Raised {
        Long l = asLong(v);
        if (l != null) {
            try {
                return switch (op) {
                    case "-" -> Math.negateExact(l);
                    case "~" -> ~l;
                    default -> l;
                };
            } catch (ArithmeticException e) {
                throw overflow(line);
            }
        }
        if (v instanceof Double d && !op.equals("~")) {
            return op.equals("-") ? -d : d;
        }
        throw new Raised(line, "TypeError: bad operand type for unary " + op + ": '" + PercentFormat.typeName(v)
                + "'", false);
    }

    private Object binary(String op, Object a, Object b, int line) throws Raised {
        if (op.equals("%") && a instanceof String format) {
            try {
                return PercentFormat.format(format, b);
            } catch (IllegalArgumentException e) {
                throw new Raised(line, "TypeError: " + e.getMessage(), false);
            }
        }
        if (op.equals("+") && a instanceof String sa && b instanceof String sb) {
            return sa + sb;
        }
        Long la = asLong(a);
        Long lb = asLong(b);
        try {
            if (la != null && lb != null) {
                return integer(op, la, lb, line);
            }
            if (isNumber(a) && isNumber(b) && !"|&^<<>>".contains(op)) {
                return real(op, asDouble(a), asDouble(b), line);
            }
        } catch (ArithmeticException e) {
            throw overflow(line);
        }
        throw typeError(line, "unsupported operand type(s) for " + op + ":", a, b);
    }

    private static Object integer(String op, long a, long b, int line) throws Raised {
        switch (op) {
            case "+":
                return Math.addExact(a, b);
            case "-":
                return Math.subtractExact(a, b);
            case "*":
                return Math.multiplyExact(a, b);
            case "/":
                if (b == 0) {
                    throw zeroDivision(line, "division by zero");
                }
                return (double) a / (double) b;
            case "//":
                if (b == 0) {
                    throw zeroDivision(line, "integer division or modulo by zero");
                }
                if (a == Long.MIN_VALUE && b == -1) {
                    throw new ArithmeticException();
                }
                return Math.floorDiv(a, b);
            case "%":
                if (b == 0) {
                    throw zeroDivision(line, "integer division or modulo by zero");
                }
                return Math.floorMod(a, b);
            case "**":
                if (b < 0) {
                    return Math.pow(a, b);
                }
                return power(a, b);
            case "|":
                return a | b;
            case "&":
                return a & b;
            case "^":
                return a ^ b;
            case "<<":
                if (b < 0) {
                    throw new Raised(line, "ValueError: negative shift count", false);
                }
                if (b >= 63 || (a != 0 && Long.numberOfLeadingZeros(Math.abs(a)) <= b)) {
                    throw new ArithmeticException();
                }
                return a << b;
            default:
                if (b < 0) {
                    throw new Raised(line, "ValueError: negative shift count", false);
                }
                return a >> Math.min(b, 63);
        }
    }

    /** {@code base ** exponent} for exponent >= 0 by squaring; an overflow throws ArithmeticException. */
    private static long power(long base, long exponent) {
        long result = 1;
        long b = base;
        long e = exponent;
        while (e > 0) {
            if ((e & 1) != 0) {
                result = Math.multiplyExact(result, b);
            }
            e >>= 1;
            if (e > 0) {
                b = Math.multiplyExact(b, b);
            }
        }
        return result;
    }

    private static Object real(String op, double a, double b, int line) throws Raised {
        if ((op.equals("/") || op.equals("//") || op.equals("%")) && b == 0) {
            throw zeroDivision(line, "float division by zero");
        }
        return switch (op) {
            case "+" -> a + b;
            case "-" -> a - b;
            case "*" -> a * b;
            case "/" -> a / b;
            case "//" -> Math.floor(a / b);
            case "%" -> a - b * Math.floor(a / b);
            default -> Math.pow(a, b);
        };
    }

    private Object call(PyNode.Call c) throws Raised {
        Object[] args = new Object[c.args().size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = eval(c.args().get(i));
        }
        switch (c.function()) {
            case "abs":
                if (args.length == 1 && isNumber(args[0])) {
                    Long l = asLong(args[0]);
                    return l != null ? (Object) Math.abs(l) : (Object) Math.abs(asDouble(args[0]));
                }
                break;
            case "int":
                if (args.length == 1 && isNumber(args[0])) {
                    Long l = asLong(args[0]);
                    return l != null ? l : (long) asDouble(args[0]);
                }
                break;
            default:
                if (args.length >= 2) {
                    Object best = args[0];
                    for (int i = 1; i < args.length; i++) {
                        boolean less = compare("<", args[i], best, c.line());
                        if (c.function().equals("min") ? less : compare(">", args[i], best, c.line())) {
                            best = args[i];
                        }
                    }
                    return best;
                }
                break;
        }
        throw new Raised(c.line(), "TypeError: bad arguments for " + c.function() + "()", false);
    }

    private static Raised typeError(int line, String what, Object a, Object b) {
        return new Raised(line, "TypeError: " + what + " '" + PercentFormat.typeName(a) + "' and '"
                + PercentFormat.typeName(b) + "'", false);
    }

    private static Raised zeroDivision(int line, String what) {
        return new Raised(line, "ZeroDivisionError: " + what, false);
    }

    private static Raised overflow(int line) {
        return new Raised(line, "integer overflow (this evaluator's integers are 64-bit)", true);
    }
}
