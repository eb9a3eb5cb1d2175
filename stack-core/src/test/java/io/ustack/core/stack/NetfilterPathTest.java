package io.ustack.core.stack;

import static io.ustack.core.testing.Frames.icmpEcho;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.HookState;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.testing.StackHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The hooks are called where the kernel calls them, and their verdicts act on the real path. */
class NetfilterPathTest {
    private final StackHarness h = new StackHarness();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private void ping() {
        h.injectIp(ipv4(HOST_IP, STACK_IP, 1, 64, 1, 0, icmpEcho(8, 1, 1, pattern(8))));
    }

    @Test
    void aPingMeetsTheHooksInKernelOrderWithTheRightDevices() {
        h.hostArps();
        List<HookState> seen = new ArrayList<>();
        for (Hook hook : Hook.values()) {
            h.stack.netfilter().register(hook, 0, "trace", (pkt, st) -> {
                seen.add(st);
                return Verdict.ACCEPT;
            });
        }
        ping();
        assertEquals(1, h.sent().size());
        assertEquals(List.of(Hook.PRE_ROUTING, Hook.LOCAL_IN, Hook.LOCAL_OUT, Hook.POST_ROUTING),
                seen.stream().map(HookState::hook).toList());
        assertSame(h.dev, seen.get(0).in());
        assertSame(h.dev, seen.get(1).in());
        assertSame(h.dev, seen.get(2).out());
        assertSame(h.dev, seen.get(3).out());
    }

    @ParameterizedTest
    @EnumSource(value = Hook.class, names = {"PRE_ROUTING", "LOCAL_IN", "LOCAL_OUT", "POST_ROUTING"})
    void dropAtAnyHookStopsTheReplyAndIsCounted(Hook hook) {
        h.hostArps();
        h.stack.netfilter().register(hook, 0, "drop-all", (pkt, st) -> Verdict.DROP);
        ping();
        assertTrue(h.sent().isEmpty());
        assertEquals(1, h.counter("DropReasonNETFILTER_DROP"));
    }

    @Test
    void stolenPacketBelongsToTheHook() {
        h.hostArps();
        List<Integer> lengths = new ArrayList<>();
        h.stack.netfilter().register(Hook.LOCAL_IN, 0, "steal", (pkt, st) -> {
            lengths.add(pkt.len());
            pkt.release();
            return Verdict.STOLEN;
        });
        ping();
        assertTrue(h.sent().isEmpty());
        assertEquals(List.of(36), lengths);
        assertEquals(0, h.counter("IcmpInMsgs"));
    }

    @Test
    void queuedPacketResumesWhenReinjected() {
        h.hostArps();
        List<io.ustack.core.netfilter.QueueHandler.QueuedPacket> queue = new ArrayList<>();
        h.stack.netfilter().setQueueHandler(queue::add);
        h.stack.netfilter().register(Hook.PRE_ROUTING, -100, "to-queue", (pkt, st) -> Verdict.QUEUE);
        ping();
        assertTrue(h.sent().isEmpty());
        assertEquals(1, queue.size());
        queue.get(0).reinject(Verdict.ACCEPT);
        assertEquals(1, h.sent().size(), "accepted by the queue, the ping is answered");
    }
}
