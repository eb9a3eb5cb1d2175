package io.ustack.cli.control.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.PingCommandText;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.Json;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** ping through the daemon's handler: its own loopback, and a peer that loses one reply. */
class PingHandlerTest {
    private static ObjectNode args(String address, int count, int intervalMs, int timeoutMs) {
        ObjectNode a = Json.MAPPER.createObjectNode();
        a.put("address", address);
        a.put("count", count);
        a.put("intervalMs", intervalMs);
        a.put("timeoutMs", timeoutMs);
        return a;
    }

    /** A ping's result, the counters of the stack it ran on, and its text as the client prints it. */
    private record Run(PingHandler.Result r, Map<String, Long> counters, String text) {
    }

    /** Pings {@code address} {@code count} times, 20 ms apart, from a stack of its own with one backlog thread. */
    private static Run pingFromOwnStack(String address, int count) throws Exception {
        NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(1));
        stack.start();
        try {
            PingHandler.Result r = (PingHandler.Result) new PingHandler(stack).execute(args(address, count, 20, 1000));
            return new Run(r, stack.stats().flat(), PingCommandText.of(Json.MAPPER.valueToTree(r)));
        } finally {
            stack.close();
        }
    }

    @Test
    void pingsLoopback() throws Exception {
        Run run = pingFromOwnStack("127.0.0.1", 3);
        PingHandler.Result r = run.r();
        assertEquals(3, r.transmitted());
        assertEquals(3, r.received());
        assertEquals(3, r.replies().size());
        for (int i = 0; i < 3; i++) {
            PingHandler.Reply p = r.replies().get(i);
            assertEquals(i + 1, p.seq());
            assertEquals("127.0.0.1", p.from());
            assertEquals(64, p.bytes());
            assertEquals(64, p.ttl());
            assertTrue(p.timeMs() >= 0 && p.timeMs() < 1000, p.toString());
        }
        assertEquals(3, run.counters().get("IcmpOutEchos"));
        assertEquals(3, run.counters().get("IcmpMsgOutType8"));
        String text = run.text();
        assertTrue(text.startsWith("PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.\n64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time="), text);
        assertTrue(text.contains("\n--- 127.0.0.1 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time "), text);
        assertTrue(text.contains("\nrtt min/avg/max/mdev = "), text);
    }

    /** A peer on a thread of its own, handed every frame the stack sends until {@code done}; started. */
    private static Thread peer(StackHarness h, AtomicBoolean done, Consumer<byte[]> answer) {
        Thread t = new Thread(() -> {
            while (!done.get()) {
                h.sent().forEach(answer);
                Thread.onSpinWait();
            }
        });
        t.start();
        return t;
    }

    @Test
    void reportsTheLostReply() throws Exception {
        try (StackHarness h = new StackHarness()) {
            h.hostArps();
            AtomicBoolean done = new AtomicBoolean();
            Thread peer = peer(h, done, f -> { // answers every echo request but the second
                if (Frames.u16(f, 12) == 0x0800 && Frames.u8(f, 23) == 1 && Frames.u8(f, 34) == 8) {
                    int id = Frames.u16(f, 38);
                    int seq = Frames.u16(f, 40);
                    if (seq != 2) {
                        h.injectIp(Frames.ipv4(StackHarness.HOST_IP, StackHarness.STACK_IP, 1, 63, seq, 0,
                                Frames.icmpEcho(0, id, seq, Arrays.copyOfRange(f, 42, f.length))));
                    }
                }
            });
            CompletableFuture<Object> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return new PingHandler(h.stack).execute(args("10.0.0.1", 3, 20, 300));
                } catch (ControlException e) {
                    throw new IllegalStateException(e);
                }
            });
            PingHandler.Result r = (PingHandler.Result) run.get(10, TimeUnit.SECONDS);
            done.set(true);
            peer.join();
            assertEquals(3, r.transmitted());
            assertEquals(2, r.received());
            assertEquals("[1, 3]", r.replies().stream().map(PingHandler.Reply::seq).toList().toString());
            assertEquals(63, r.replies().get(0).ttl());
            String text = PingCommandText.of(Json.MAPPER.valueToTree(r));
            assertTrue(text.contains("3 packets transmitted, 2 received, 33.3333% packet loss"), text);
        }
    }

    @Test
    void pingsIpv6LoopbackAsPingDashSixPrintsIt() throws Exception {
        Run run = pingFromOwnStack("::1", 2);
        assertEquals("inet6", run.r().family());
        assertEquals(2, run.r().received());
        assertEquals("::1", run.r().replies().get(0).from());
        assertEquals(64, run.r().replies().get(0).bytes());
        assertEquals(2, run.counters().get("Icmp6OutEchos"));
        assertTrue(run.text().startsWith("PING ::1(::1) 56 data bytes\n64 bytes from ::1: icmp_seq=1 ttl=64 time="), run.text());
        assertTrue(run.text().contains("\n--- ::1 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time "),
                run.text());
    }

    @Test
    void pingsALinkLocalPeerOutTheInterfaceNamed() throws Exception {
        try (StackHarness h = new StackHarness()) {
            h.hostSolicits(StackHarness.HOST_LL, StackHarness.STACK_LL);
            AtomicBoolean done = new AtomicBoolean();
            Thread peer = peer(h, done, f -> { // answers every ICMPv6 echo request to its link-local address
                if (Frames.u16(f, 12) == 0x86dd && Frames.u8(f, 20) == 58 && Frames.u8(f, 54) == 128) {
                    byte[] body = Arrays.copyOfRange(f, 58, f.length);
                    h.injectIp6(Frames.ipv6(StackHarness.HOST_LL, StackHarness.STACK_LL, 58, 64,
                            Frames.icmpv6(StackHarness.HOST_LL, StackHarness.STACK_LL, 129, 0, body)));
                }
            });
            ObjectNode a = args("fe80::ff:fe00:1%eth0", 2, 20, 1000);
            a.put("family", "inet6");
            PingHandler.Result r;
            try {
                r = (PingHandler.Result) new PingHandler(h.stack).execute(a);
            } finally {
                done.set(true);
                peer.join();
            }
            assertEquals(2, r.received());
            assertEquals("fe80::ff:fe00:1%eth0", r.target());
            assertEquals("fe80::ff:fe00:1%eth0", r.replies().get(0).from(), "ping -6 names a link-local source's interface");
        }
    }

    @Test
    void refusesBadArguments() {
        NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(0));
        try {
            PingHandler p = new PingHandler(stack);
            assertEquals("ping.5 is not an IPv4 address", assertThrows(ControlException.class,
                    () -> p.execute(args("ping.5", 1, 1000, 1000))).getMessage());
            ObjectNode v6 = args("10.0.0.1", 1, 1000, 1000);
            v6.put("family", "inet6");
            assertEquals("10.0.0.1 is not an IPv6 address", assertThrows(ControlException.class,
                    () -> p.execute(v6)).getMessage());
            assertEquals("fe80::1 is link-local: name its interface, fe80::1%IFNAME", assertThrows(ControlException.class,
                    () -> p.execute(args("fe80::1", 1, 1000, 1000))).getMessage());
            assertEquals("the daemon has no interface tap9", assertThrows(ControlException.class,
                    () -> p.execute(args("fe80::1%tap9", 1, 1000, 1000))).getMessage());
            assertEquals("no route to 2001:db8::1 (Network is unreachable)", assertThrows(ControlException.class,
                    () -> p.execute(args("2001:db8::1", 1, 1000, 1000))).getMessage());
            assertEquals("ping's \"count\" must be a whole number from 1 to 1000", assertThrows(ControlException.class,
                    () -> p.execute(args("127.0.0.1", 0, 1000, 1000))).getMessage());
            assertTrue(assertThrows(ControlException.class, () -> p.execute(args("127.0.0.1", 1000, 1000, 1000)))
                    .getMessage().startsWith("a ping may take at most 120 s"));
            assertEquals("no route to 192.0.2.1 (Network is unreachable)", assertThrows(ControlException.class,
                    () -> p.execute(args("192.0.2.1", 1, 1000, 1000))).getMessage());
        } finally {
            stack.close();
        }
    }
}
