package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.icmp.IcmpProtocol;
import io.ustack.core.icmp.Icmpv6Protocol;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stack.NetStack;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * {@code ping}: the daemon's stack sends ICMP or ICMPv6 echo requests with an echo id of its own and times the
 * replies heard for that id, as ping does through a ping socket. The whole run happens here (the client prints
 * the result): at most {@link #MAX_COUNT} requests and {@link #MAX_TOTAL_MS} in all. An address with a colon is
 * IPv6 (as iputils ping takes one without -6); {@code family} ("inet" or "inet6", ping's -4 and -6) insists on
 * one. A link-local IPv6 address names its interface after a percent sign, fe80::1%tap0, as ping's does.
 */
public final class PingHandler implements ControlHandler {
    public static final int MAX_COUNT = 1000;
    public static final long MAX_TOTAL_MS = 120_000;
    public static final int MIN_INTERVAL_MS = 10;
    /** 65535 minus the IP and ICMP headers. */
    public static final int MAX_SIZE = 65507;
    /** 65535 minus the ICMPv6 header: IPv6's payload length leaves its own header out. */
    public static final int MAX_SIZE6 = 65527;

    private final NetStack stack;
    private final AtomicInteger nextId = new AtomicInteger(ThreadLocalRandom.current().nextInt(0x10000));

    public PingHandler(NetStack stack) {
        this.stack = stack;
    }

    /** One reply as ping prints it; {@code dup} for a sequence already answered. */
    public record Reply(int seq, String from, int bytes, int ttl, double timeMs, boolean dup) {
    }

    /**
     * The run: what was sent and heard; {@code timeMs} from the first request to the end of the wait;
     * {@code family} "inet" or "inet6", which ping prints differently.
     */
    public record Result(String target, String family, int size, int transmitted, int received, int duplicates,
            long timeMs, List<Reply> replies) {
    }

    /** Hears one reply of the run: who sent it (as ping prints it), its sequence, TTL or hop limit and length. */
    private interface ReplySink {
        void reply(String from, int seq, int ttl, int bytes);
    }

    /** One family's ping socket: the target as ping names it, a request sent, and the id its replies come under. */
    private interface Pinger {
        String target();

        /** Sends request {@code seq}; false if there was no route. */
        boolean send(int id, int seq, byte[] data);

        /** Registers {@code sink} for the replies of a free echo id, which it returns; -1 if none was free. */
        int register(ReplySink sink);

        void unregister(int id);
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
        Args.only(args, name(), "address", "family", "count", "intervalMs", "size", "timeoutMs");
        String address = Args.required(args, name(), "address", "the address to ping");
        String family = args.path("family").asText(address.indexOf(':') >= 0 ? "inet6" : "inet");
        Pinger pinger = switch (family) {
            case "inet" -> pinger4(address);
            case "inet6" -> pinger6(address);
            default -> throw new ControlException("ping's \"family\" must be inet or inet6, not " + family);
        };
        int count = intArg(args, "count", 4, 1, MAX_COUNT);
        int intervalMs = intArg(args, "intervalMs", 1000, MIN_INTERVAL_MS, (int) MAX_TOTAL_MS);
        int size = intArg(args, "size", 56, 0, family.equals("inet6") ? MAX_SIZE6 : MAX_SIZE);
        int timeoutMs = intArg(args, "timeoutMs", 10_000, 1, (int) MAX_TOTAL_MS);
        if ((long) (count - 1) * intervalMs + timeoutMs > MAX_TOTAL_MS) {
            throw new ControlException("a ping may take at most " + MAX_TOTAL_MS / 1000
                    + " s: (count - 1) x interval + timeout is over that");
        }
        return run(pinger, family, count, intervalMs, size, timeoutMs);
    }

    /** An IPv4 ping of {@code address}. */
    private Pinger pinger4(String address) throws ControlException {
        int daddr;
        try {
            daddr = Ipv4Address.parse(address);
        } catch (IllegalArgumentException e) {
            throw new ControlException(address + " is not an IPv4 address");
        }
        IcmpProtocol icmp = stack.icmpProtocol();
        return new Pinger() {
            private IcmpProtocol.EchoListener listener;

            @Override
            public String target() {
                return Ipv4Address.format(daddr);
            }

            @Override
            public boolean send(int id, int seq, byte[] data) {
                return stack.icmp().echoRequest(daddr, id, seq, data);
            }

            @Override
            public int register(ReplySink sink) {
                listener = (from, seq, ttl, bytes, pkt) -> sink.reply(Ipv4Address.format(from), seq, ttl, bytes);
                return freeId(id -> icmp.pings().add(id, listener));
            }

            @Override
            public void unregister(int id) {
                icmp.pings().remove(id, listener);
            }
        };
    }

    /**
     * An IPv6 ping of {@code address}, fe80::1%IFNAME (or %INDEX) for a link-local one: the interface is the
     * request's way out, and a reply's source is printed with the interface it came by, as ping -6 prints it.
     */
    private Pinger pinger6(String address) throws ControlException {
        int pct = address.indexOf('%');
        Ipv6Address daddr;
        try {
            daddr = Ipv6Address.parse(pct < 0 ? address : address.substring(0, pct));
        } catch (IllegalArgumentException e) {
            throw new ControlException(address + " is not an IPv6 address");
        }
        NetDevice oif = pct < 0 ? null : scope(address.substring(pct + 1));
        if (daddr.needsScopeId() && oif == null) {
            throw new ControlException(address + " is link-local: name its interface, " + address + "%IFNAME");
        }
        Icmpv6Protocol icmp6 = stack.icmpv6Protocol();
        return new Pinger() {
            private Icmpv6Protocol.EchoListener listener;

            @Override
            public String target() {
                return daddr + (oif != null && daddr.needsScopeId() ? "%" + oif.name() : "");
            }

            @Override
            public boolean send(int id, int seq, byte[] data) {
                return stack.icmp6().echoRequest(daddr, oif, id, seq, data);
            }

            @Override
            public int register(ReplySink sink) {
                listener = (from, dev, seq, hopLimit, bytes) -> sink.reply(
                        from + (from.needsScopeId() && dev != null ? "%" + dev.name() : ""), seq, hopLimit, bytes);
                return freeId(id -> icmp6.pings().add(id, listener));
            }

            @Override
            public void unregister(int id) {
                icmp6.pings().remove(id, listener);
            }
        };
    }

    /** The interface a scope names: its name or its index. */
    private NetDevice scope(String scope) throws ControlException {
        NetDevice dev = stack.device(scope);
        if (dev == null && !scope.isEmpty() && scope.chars().allMatch(Character::isDigit) && scope.length() < 10) {
            dev = stack.device(Integer.parseInt(scope));
        }
        if (dev == null) {
            throw new ControlException("the daemon has no interface " + scope);
        }
        return dev;
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

    private Result run(Pinger pinger, String family, int count, int intervalMs, int size, int timeoutMs)
            throws ControlException {
        long[] sentAt = new long[count + 1];
        boolean[] answered = new boolean[count + 1];
        List<Reply> replies = new ArrayList<>();
        int[] received = new int[2]; // [0] distinct replies, [1] duplicates
        Object lock = new Object();
        ReplySink sink = (from, seq, ttl, bytes) -> {
            long now = System.nanoTime();
            synchronized (lock) {
                if (seq < 1 || seq > count || sentAt[seq] == 0) {
                    return; // not one of ours (an id reused by an old run)
                }
                boolean dup = answered[seq];
                answered[seq] = true;
                received[dup ? 1 : 0]++;
                replies.add(new Reply(seq, from, bytes, ttl, (now - sentAt[seq]) / 1e6, dup));
                lock.notifyAll();
            }
        };
        int id = pinger.register(sink);
        if (id < 0) {
            throw new ControlException("every echo id is in use by another ping");
        }
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
                if (!pinger.send(id, seq, data) && seq == 1) {
                    throw new ControlException("no route to " + pinger.target() + " (Network is unreachable)");
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
            pinger.unregister(id);
        }
        long timeMs = (System.nanoTime() - start) / 1_000_000;
        synchronized (lock) {
            return new Result(pinger.target(), family, size, transmitted, received[0], received[1], timeMs,
                    List.copyOf(replies));
        }
    }

    /** An echo id no other ping of the family in this daemon holds, claimed by {@code claim}; -1 if none. */
    private int freeId(IntPredicate claim) {
        for (int i = 0; i < 0x10000; i++) {
            int id = nextId.getAndIncrement() & 0xffff;
            if (claim.test(id)) {
                return id;
            }
        }
        return -1;
    }
}
