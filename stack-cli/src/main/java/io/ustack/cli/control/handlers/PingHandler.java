package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.icmp.IcmpProtocol;
import io.ustack.core.stack.NetStack;
import io.ustack.core.wire.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ping}: the daemon's stack sends ICMP echo requests with an echo id of its own and times the replies
 * heard for that id, as ping does through a ping socket. The whole run happens here (the client prints the
 * result): at most {@link #MAX_COUNT} requests and {@link #MAX_TOTAL_MS} in all.
 */
public final class PingHandler implements ControlHandler {
    public static final int MAX_COUNT = 1000;
    public static final long MAX_TOTAL_MS = 120_000;
    public static final int MIN_INTERVAL_MS = 10;
    /** 65535 minus the IP and ICMP headers. */
    public static final int MAX_SIZE = 65507;

    private final NetStack stack;
    private final AtomicInteger nextId = new AtomicInteger(ThreadLocalRandom.current().nextInt(0x10000));

    public PingHandler(NetStack stack) {
        this.stack = stack;
    }

    /** One reply as ping prints it; {@code dup} for a sequence already answered. */
    public record Reply(int seq, String from, int bytes, int ttl, double timeMs, boolean dup) {
    }

    /** The run: what was sent and heard; {@code timeMs} from the first request to the end of the wait. */
    public record Result(String target, int size, int transmitted, int received, int duplicates, long timeMs,
            List<Reply> replies) {
    }

    @Override
    public String name() {
        return "ping";
    }

    /** Runs for as long as asked, on a thread of its own; an interrupt (its client gone) ends it early. */
    @Override
    public boolean longRunning() {
        return true;
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "address", "count", "intervalMs", "size", "timeoutMs");
        String address = Args.required(args, name(), "address", "the address to ping");
        int daddr;
        try {
            daddr = Ipv4Address.parse(address);
        } catch (IllegalArgumentException e) {
            throw new ControlException(address + " is not an IPv4 address");
        }
        int count = intArg(args, "count", 4, 1, MAX_COUNT);
        int intervalMs = intArg(args, "intervalMs", 1000, MIN_INTERVAL_MS, (int) MAX_TOTAL_MS);
        int size = intArg(args, "size", 56, 0, MAX_SIZE);
        int timeoutMs = intArg(args, "timeoutMs", 10_000, 1, (int) MAX_TOTAL_MS);
        if ((long) (count - 1) * intervalMs + timeoutMs > MAX_TOTAL_MS) {
            throw new ControlException("a ping may take at most " + MAX_TOTAL_MS / 1000
                    + " s: (count - 1) x interval + timeout is over that");
        }
        return run(daddr, count, intervalMs, size, timeoutMs);
    }

    private static int intArg(ObjectNode args, String name, int dflt, int min, int max) throws ControlException {
        JsonNode n = args.get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            throw new ControlException("ping's \"" + name + "\" must be a whole number from " + min + " to " + max);
        }
        return n.asInt();
    }

    private Result run(int daddr, int count, int intervalMs, int size, int timeoutMs) throws ControlException {
        long[] sentAt = new long[count + 1];
        boolean[] answered = new boolean[count + 1];
        List<Reply> replies = new ArrayList<>();
        int[] received = new int[2]; // [0] distinct replies, [1] duplicates
        Object lock = new Object();
        IcmpProtocol.EchoListener listener = (from, seq, ttl, bytes, pkt) -> {
            long now = System.nanoTime();
            synchronized (lock) {
                if (seq < 1 || seq > count || sentAt[seq] == 0) {
                    return; // not one of ours (an id reused by an old run)
                }
                boolean dup = answered[seq];
                answered[seq] = true;
                received[dup ? 1 : 0]++;
                replies.add(new Reply(seq, Ipv4Address.format(from), bytes, ttl, (now - sentAt[seq]) / 1e6, dup));
                lock.notifyAll();
            }
        };
        int id = register(listener);
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = (byte) i;
        }
        long start = System.nanoTime();
        int transmitted = 0;
        try {
            for (int seq = 1; seq <= count; seq++) {
                synchronized (lock) {
                    sentAt[seq] = System.nanoTime();
                }
                if (!stack.icmp().echoRequest(daddr, id, seq, data) && seq == 1) {
                    throw new ControlException("no route to " + Ipv4Address.format(daddr) + " (Network is unreachable)");
                }
                transmitted++;
                long deadline = seq < count ? sentAt[seq] + intervalMs * 1_000_000L : sentAt[seq] + timeoutMs * 1_000_000L;
                synchronized (lock) {
                    // after the last request, wait for the missing replies until the timeout
                    while (true) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0 || (seq == count && received[0] == count)) {
                            break;
                        }
                        lock.wait(Math.max(1, left / 1_000_000), 0);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stack.icmpProtocol().removeEchoListener(id, listener);
        }
        long timeMs = (System.nanoTime() - start) / 1_000_000;
        synchronized (lock) {
            return new Result(Ipv4Address.format(daddr), size, transmitted, received[0], received[1], timeMs,
                    List.copyOf(replies));
        }
    }

    /** An echo id no other ping in this daemon holds. */
    private int register(IcmpProtocol.EchoListener l) throws ControlException {
        for (int i = 0; i < 0x10000; i++) {
            int id = nextId.getAndIncrement() & 0xffff;
            if (stack.icmpProtocol().addEchoListener(id, l)) {
                return id;
            }
        }
        throw new ControlException("every echo id is in use by another ping");
    }
}
