package io.ustack.cli.packetdrill;

import java.util.List;

/**
 * The Python subset of {@code %{ }%} snippets, parsed ({@link PyParser}) before it is run
 * ({@link CodeEvaluator}), so that {@code and}/{@code or} short-circuit as Python's do.
 */
sealed interface PyNode {
    /** Python's None. */
    Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A literal: a Long, Double, Boolean, String or {@link #NONE}. */
    record Literal(Object value) implements PyNode {
    }

    /** A name, resolved from the snippet's own assignments, then the tcp_info map. */
    record Name(String name, int line) implements PyNode {
    }

    /** {@code -x}, {@code +x}, {@code ~x}. */
    record Unary(String op, PyNode operand, int line) implements PyNode {
    }

    /** {@code + - * / // % ** | & ^ << >>}. */
    record Binary(String op, PyNode lhs, PyNode rhs, int line) implements PyNode {
    }

    /** {@code and}, {@code or}: the deciding operand's value, as Python. */
    record BoolOp(boolean and, PyNode lhs, PyNode rhs) implements PyNode {
    }

    /** {@code not x}. */
    record Not(PyNode operand) implements PyNode {
    }

    /** {@code a < b <= c}: a chain, each operand evaluated once. */
    record Compare(List<PyNode> operands, List<String> ops, int line) implements PyNode {
        public Compare {
            operands = List.copyOf(operands);
            ops = List.copyOf(ops);
        }
    }

    /** {@code (a, b)}: only as the right side of {@code %} formatting, or a message. */
    record Tuple(List<PyNode> items) implements PyNode {
        public Tuple {
            items = List.copyOf(items);
        }
    }

    /** {@code abs(x)}, {@code min(a, b)}, {@code max(a, b)}, {@code int(x)}: the builtins a check may want. */
    record Call(String function, List<PyNode> args, int line) implements PyNode {
        public Call {
            args = List.copyOf(args);
        }
    }

    /** A statement of the snippet. */
    sealed interface Statement {
        int line();
    }

    /**
     * {@code assert TEST[, MESSAGE]}.
     *
     * @param source the test as written, for the failure's message
     * @param message null when not written
     */
    record Assert(int line, PyNode test, String source, PyNode message) implements Statement {
    }

    /** {@code name = value}. */
    record Assign(int line, String name, PyNode value) implements Statement {
    }

    /** {@code pass}. */
    record Pass(int line) implements Statement {
    }
}
