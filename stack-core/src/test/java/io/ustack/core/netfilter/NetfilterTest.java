package io.ustack.core.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.link.LoopbackDevice;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.PacketDrops;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NetfilterTest {
    private final BufferPool pool = new BufferPool();
    private final PacketDrops drops = new PacketDrops();
    private final Netfilter nf = new Netfilter(drops);
    private final NetDevice in = new LoopbackDevice();
    /** What reached the okfn; released at the end. */
    private final List<PacketBuffer> passed = new ArrayList<>();
    /** The order hook functions ran in. */
    private final List<String> calls = new ArrayList<>();

    @AfterEach
    void noLeaks() {
        passed.forEach(PacketBuffer::release);
        assertEquals(0, pool.outstanding(), "buffers not released");
    }

    private PacketBuffer packet() {
        PacketBuffer p = pool.allocate(64);
        p.put(20);
        return p;
    }

    private HookFunction answering(String name, Verdict v) {
        return (pkt, state) -> {
            calls.add(name);
            return v;
        };
    }

    private void run(Hook hook, PacketBuffer pkt) {
        nf.hook(hook, pkt, in, null, passed::add);
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void emptyHookCallsOkfnDirectly(Hook hook) {
        PacketBuffer p = packet();
        run(hook, p);
        assertEquals(List.of(p), passed);
        assertFalse(p.isReleased());
        assertEquals(List.of(), nf.functions(hook));
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void functionsRunInPriorityOrderThenOkfn(Hook hook) {
        nf.register(hook, 100, "late", answering("late", Verdict.ACCEPT));
        nf.register(hook, -150, "raw", answering("raw", Verdict.ACCEPT));
        nf.register(hook, 0, "filter", answering("filter", Verdict.ACCEPT));
        nf.register(hook, 0, "filter2", answering("filter2", Verdict.ACCEPT)); // equal priority: after "filter"
        nf.register(hook, -300, "first", answering("first", Verdict.ACCEPT));
        assertEquals(List.of("first", "raw", "filter", "filter2", "late"), nf.functions(hook));
        PacketBuffer p = packet();
        run(hook, p);
        assertEquals(List.of("first", "raw", "filter", "filter2", "late"), calls);
        assertEquals(List.of(p), passed);
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void functionsSeeTheHookStateAndOnlyTheirOwnHook(Hook hook) {
        List<HookState> seen = new ArrayList<>();
        for (Hook h : Hook.values()) {
            nf.register(h, 0, "spy", (pkt, state) -> {
                seen.add(state);
                return Verdict.ACCEPT;
            });
        }
        run(hook, packet());
        assertEquals(List.of(new HookState(hook, in, null)), seen);
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void acceptEverywhereReachesOkfn(Hook hook) {
        nf.register(hook, 0, "a", answering("a", Verdict.ACCEPT));
        PacketBuffer p = packet();
        run(hook, p);
        assertSame(p, passed.get(0));
        assertEquals(0, drops.count(DropReason.NETFILTER_DROP));
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void dropIsCountedAndReleasedAndStopsTraversal(Hook hook) {
        nf.register(hook, 0, "a", answering("a", Verdict.ACCEPT));
        nf.register(hook, 10, "drop", answering("drop", Verdict.DROP));
        nf.register(hook, 20, "after", answering("after", Verdict.ACCEPT));
        PacketBuffer p = packet();
        run(hook, p);
        assertEquals(List.of("a", "drop"), calls);
        assertTrue(passed.isEmpty());
        assertTrue(p.isReleased());
        assertEquals(1, drops.count(DropReason.NETFILTER_DROP));
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void stolenPacketBelongsToTheFunction(Hook hook) {
        List<PacketBuffer> stolen = new ArrayList<>();
        nf.register(hook, 0, "thief", (pkt, state) -> {
            stolen.add(pkt);
            return Verdict.STOLEN;
        });
        nf.register(hook, 10, "after", answering("after", Verdict.ACCEPT));
        PacketBuffer p = packet();
        run(hook, p);
        assertTrue(passed.isEmpty());
        assertTrue(calls.isEmpty());
        assertEquals(List.of(p), stolen);
        assertFalse(p.isReleased(), "the function owns it now");
        assertEquals(0, drops.count(DropReason.NETFILTER_DROP));
        p.release();
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void queueWithoutAHandlerDrops(Hook hook) {
        nf.register(hook, 0, "q", answering("q", Verdict.QUEUE));
        nf.register(hook, 10, "after", answering("after", Verdict.ACCEPT));
        PacketBuffer p = packet();
        run(hook, p);
        assertTrue(passed.isEmpty());
        assertEquals(List.of("q"), calls);
        assertTrue(p.isReleased());
        assertEquals(1, drops.count(DropReason.NETFILTER_DROP));
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void queuedPacketReinjectedWithAcceptContinuesWithTheNextFunction(Hook hook) {
        List<QueueHandler.QueuedPacket> queue = new ArrayList<>();
        nf.setQueueHandler(queue::add);
        nf.register(hook, 0, "before", answering("before", Verdict.ACCEPT));
        nf.register(hook, 10, "q", answering("q", Verdict.QUEUE));
        nf.register(hook, 20, "after", answering("after", Verdict.ACCEPT));
        PacketBuffer p = packet();
        run(hook, p);
        assertTrue(passed.isEmpty(), "waiting in the queue");
        assertEquals(List.of("before", "q"), calls);
        assertEquals(1, queue.size());
        assertSame(p, queue.get(0).packet());
        assertEquals(new HookState(hook, in, null), queue.get(0).state());
        assertFalse(p.isReleased());

        queue.get(0).reinject(Verdict.ACCEPT);
        assertEquals(List.of("before", "q", "after"), calls);
        assertEquals(List.of(p), passed);
        assertEquals(0, drops.count(DropReason.NETFILTER_DROP));
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void queuedPacketAcceptedByTheLastFunctionGoesToOkfn(Hook hook) {
        List<QueueHandler.QueuedPacket> queue = new ArrayList<>();
        nf.setQueueHandler(queue::add);
        nf.register(hook, 0, "q", answering("q", Verdict.QUEUE));
        PacketBuffer p = packet();
        run(hook, p);
        queue.get(0).reinject(Verdict.ACCEPT);
        assertEquals(List.of(p), passed);
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void queuedPacketReinjectedWithDropIsDropped(Hook hook) {
        List<QueueHandler.QueuedPacket> queue = new ArrayList<>();
        nf.setQueueHandler(queue::add);
        nf.register(hook, 0, "q", answering("q", Verdict.QUEUE));
        nf.register(hook, 10, "after", answering("after", Verdict.ACCEPT));
        PacketBuffer p = packet();
        run(hook, p);
        queue.get(0).reinject(Verdict.DROP);
        assertEquals(List.of("q"), calls);
        assertTrue(passed.isEmpty());
        assertTrue(p.isReleased());
        assertEquals(1, drops.count(DropReason.NETFILTER_DROP));
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void queuedPacketReinjectedWithRepeatRunsTheSameFunctionAgain(Hook hook) {
        List<QueueHandler.QueuedPacket> queue = new ArrayList<>();
        nf.setQueueHandler(queue::add);
        AtomicInteger n = new AtomicInteger();
        nf.register(hook, 0, "q", (pkt, state) -> {
            calls.add("q");
            return n.getAndIncrement() == 0 ? Verdict.QUEUE : Verdict.ACCEPT;
        });
        nf.register(hook, 10, "after", answering("after", Verdict.ACCEPT));
        PacketBuffer p = packet();
        run(hook, p);
        queue.get(0).reinject(Verdict.REPEAT);
        assertEquals(List.of("q", "q", "after"), calls);
        assertEquals(List.of(p), passed);
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void repeatCallsTheSameFunctionAgain(Hook hook) {
        AtomicInteger n = new AtomicInteger();
        nf.register(hook, 0, "before", answering("before", Verdict.ACCEPT));
        nf.register(hook, 10, "twice", (pkt, state) -> {
            calls.add("twice");
            return n.incrementAndGet() < 3 ? Verdict.REPEAT : Verdict.ACCEPT;
        });
        nf.register(hook, 20, "after", answering("after", Verdict.ACCEPT));
        PacketBuffer p = packet();
        run(hook, p);
        assertEquals(List.of("before", "twice", "twice", "twice", "after"), calls);
        assertEquals(List.of(p), passed);
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void aFunctionThatAlwaysRepeatsIsCutOff(Hook hook) {
        nf.register(hook, 0, "loop", answering("loop", Verdict.REPEAT));
        nf.register(hook, 10, "after", answering("after", Verdict.ACCEPT));
        PacketBuffer p = packet();
        run(hook, p);
        assertEquals(Netfilter.MAX_REPEATS, calls.size());
        assertTrue(calls.stream().allMatch("loop"::equals));
        assertTrue(passed.isEmpty());
        assertTrue(p.isReleased());
        assertEquals(1, drops.count(DropReason.NETFILTER_DROP));
    }

    @ParameterizedTest
    @EnumSource(Hook.class)
    void unregisterRemovesEveryFunctionOfThatName(Hook hook) {
        nf.register(hook, 0, "keep", answering("keep", Verdict.ACCEPT));
        nf.register(hook, 5, "gone", answering("gone", Verdict.DROP));
        nf.register(hook, 10, "gone", answering("gone2", Verdict.DROP));
        for (Hook other : Hook.values()) {
            if (other != hook) {
                nf.register(other, 0, "gone", answering("other", Verdict.DROP));
            }
        }
        nf.unregister(hook, "gone");
        nf.unregister(hook, "never registered");
        assertEquals(List.of("keep"), nf.functions(hook));
        for (Hook other : Hook.values()) {
            if (other != hook) {
                assertEquals(List.of("gone"), nf.functions(other), "other hooks keep theirs");
            }
        }
        PacketBuffer p = packet();
        run(hook, p);
        assertEquals(List.of("keep"), calls);
        assertEquals(List.of(p), passed);

        nf.unregister(hook, "keep");
        PacketBuffer q = packet();
        run(hook, q);
        assertEquals(List.of("keep"), calls, "nothing left to call");
        assertEquals(List.of(p, q), passed);
    }

    @Test
    void queueHandlerCanBeRemoved() {
        List<QueueHandler.QueuedPacket> queue = new ArrayList<>();
        nf.setQueueHandler(queue::add);
        nf.setQueueHandler(null);
        nf.register(Hook.FORWARD, 0, "q", answering("q", Verdict.QUEUE));
        PacketBuffer p = packet();
        run(Hook.FORWARD, p);
        assertTrue(queue.isEmpty());
        assertTrue(p.isReleased());
        assertEquals(1, drops.count(DropReason.NETFILTER_DROP));
    }
}
