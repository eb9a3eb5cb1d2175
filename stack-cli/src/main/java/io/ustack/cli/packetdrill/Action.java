package io.ustack.cli.packetdrill;

import java.util.List;

/** What an event does, parser.y's {@code action}: a packet, a system call, a shell command or a code snippet. */
sealed interface Action {

    /** An inbound ({@code <}) packet to inject or an outbound ({@code >}) one to expect. */
    record Packet(PacketSpec spec) implements Action {
    }

    /**
     * A system call and its expected outcome, {@code [...END] name(args) = result [ERRNO (strerror)] [(note)]}.
     *
     * @param endUsecs the {@code ...END} time of a call expected to block until then, or -1 for a non-blocking call;
     *                 as packetdrill reads it, an absolute time for an absolute event and, for a relative one,
     *                 relative to the same point as the start (the previous event's time), so
     *                 {@code +.1...0.3} starts 0.1 s and returns 0.3 s after the previous event
     * @param args the arguments, empty for {@code name()}
     * @param errno the expected errno name ({@code EINPROGRESS}), or null
     * @param note the parenthesised words after the result or errno, as written, or null
     */
    record Syscall(long endUsecs, String name, List<Expr> args, Expr result, String errno, String note)
            implements Action {
        static final long NON_BLOCKING = -1;

        public Syscall {
            args = List.copyOf(args);
        }

        boolean blocking() {
            return endUsecs != NON_BLOCKING;
        }
    }

    /**
     * A backtick shell command, its text between the backticks as written ({@link ShellCommands} reads it).
     *
     * @param line the line of the opening backtick
     */
    record Command(String text, int line) implements Action {
    }

    /**
     * A {@code %{ ... }%} snippet (Python for packetdrill; {@link CodeEvaluator} runs the subset Linux's tests
     * use).
     *
     * @param firstLine the line the text's first line is on
     */
    record Code(String text, int firstLine) implements Action {
    }
}
