package io.ustack.cli.packetdrill;

import java.util.List;

/**
 * A system call's argument or result, parser.y's {@code expression}. The grammar's special forms (msghdr,
 * iovec, pollfd, epoll_event, sockaddr, cmsg, sock_extended_err, linger) are all braces of fields here:
 * {@code {fd=3, events=POLLIN}} is a {@link Braces} of two {@link Assign}s, {@code msg_iov(1)=[...]} an
 * {@link Assign} whose target is the {@link Call} {@code msg_iov(1)}, {@code {..., 1000}} a {@link Braces}
 * of an {@link Ellipsis} and an {@link Int}.
 */
sealed interface Expr {

    /** {@code ...}: anything (an argument the test does not care about, or a buffer). */
    record Ellipsis() implements Expr {
    }

    /** An integer literal; {@code hex} when written {@code 0x...}. */
    record Int(long value, boolean hex) implements Expr {
    }

    /**
     * A string literal (adjacent ones joined, as packetdrill's string_sequence), backslash escapes as written.
     *
     * @param prefix true for {@code "abc"...}: a string the actual value only has to start with
     */
    record Str(String value, boolean prefix) implements Expr {
    }

    /** A name: a constant such as {@code SOCK_STREAM} or {@code O_NONBLOCK}, or a struct field's name. */
    record Word(String name) implements Expr {
    }

    /** {@code lhs | rhs}: flags or'ed together. */
    record Or(Expr lhs, Expr rhs) implements Expr {
    }

    /** {@code target=value}: a struct field; the target is a {@link Word} or a {@link Call} ({@code msg_iov(1)}). */
    record Assign(Expr target, Expr value) implements Expr {
        /** The field's name: the word, or the call's name. */
        String name() {
            return target instanceof Word w ? w.name() : ((Call) target).name();
        }
    }

    /** {@code [a, b]}: an array (or a pointer to an int, as {@code [1]}). */
    record Array(List<Expr> items) implements Expr {
        public Array {
            items = List.copyOf(items);
        }
    }

    /** {@code {a, b}} or {@code {name=a, name=b}}: a struct. */
    record Braces(List<Expr> items) implements Expr {
        public Braces {
            items = List.copyOf(items);
        }

        /** The value of field {@code name}, or null. */
        Expr field(String name) {
            for (Expr e : items) {
                if (e instanceof Assign a && a.name().equals(name)) {
                    return a.value();
                }
            }
            return null;
        }
    }

    /** {@code name(args)}: {@code htons(8080)}, {@code inet_addr("192.0.2.1")}, {@code msg_iov(1)}. */
    record Call(String name, List<Expr> args) implements Expr {
        public Call {
            args = List.copyOf(args);
        }
    }
}
