package io.ustack.core.netfilter;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketHandler;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.PacketDrops;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The netfilter core: five hook points, each with hook functions ordered by priority (lower first, as
 * NF_IP_PRI_* order them). A call site reads {@code netfilter.hook(PRE_ROUTING, pkt, in, out, this::rcvFinish)}:
 * the kernel's NF_HOOK(…, okfn) and foo/foo_finish split.
 *
 * <p>Registration swaps in a new array (copy on write), so the packet path reads its hook's array without
 * a lock, and a hook with no functions costs one array-length check.
 */
public final class Netfilter {
    /** Consecutive NF_REPEAT answers from one function before the packet is dropped as a loop. */
    static final int MAX_REPEATS = 16;

    private record Entry(int priority, String name, HookFunction fn) {
    }

    private final PacketDrops drops;
    /** One array per hook, replaced whole on registration; read with volatile semantics on the packet path. */
    private final AtomicReferenceArray<Entry[]> hooks = new AtomicReferenceArray<>(Hook.values().length);
    private volatile QueueHandler queueHandler;

    public Netfilter(PacketDrops drops) {
        this.drops = drops;
        for (int i = 0; i < hooks.length(); i++) {
            hooks.set(i, new Entry[0]);
        }
    }

    /** nf_register_net_hook: adds {@code fn} at {@code hook}; equal priorities run in registration order. */
    public synchronized void register(Hook hook, int priority, String name, HookFunction fn) {
        List<Entry> list = new ArrayList<>(Arrays.asList(hooks.get(hook.ordinal())));
        list.add(new Entry(priority, name, fn));
        list.sort(Comparator.comparingInt(Entry::priority));
        hooks.set(hook.ordinal(), list.toArray(new Entry[0]));
    }

    /** nf_unregister_net_hook: removes every function registered under {@code name} at {@code hook}. */
    public synchronized void unregister(Hook hook, String name) {
        hooks.set(hook.ordinal(), Arrays.stream(hooks.get(hook.ordinal()))
                .filter(e -> !e.name().equals(name)).toArray(Entry[]::new));
    }

    /** The names of the functions at {@code hook}, in the order they run. */
    public List<String> functions(Hook hook) {
        return Arrays.stream(hooks.get(hook.ordinal())).map(Entry::name).toList();
    }

    /** nf_register_queue_handler: where QUEUE verdicts go. Without one, a queued packet is dropped. */
    public void setQueueHandler(QueueHandler handler) {
        this.queueHandler = handler;
    }

    /**
     * NF_HOOK: runs the functions at {@code hook} over {@code pkt}, then {@code okfn} if all accepted.
     * Takes ownership.
     */
    public void hook(Hook hook, PacketBuffer pkt, NetDevice in, NetDevice out, PacketHandler okfn) {
        Entry[] entries = hooks.get(hook.ordinal());
        if (entries.length == 0) {
            okfn.handle(pkt);
            return;
        }
        traverse(entries, 0, pkt, new HookState(hook, in, out), okfn);
    }

    /** nf_hook_slow: runs entries from {@code start}; acts on the first verdict that is not ACCEPT. */
    private void traverse(Entry[] entries, int start, PacketBuffer pkt, HookState state, PacketHandler okfn) {
        for (int i = start; i < entries.length; i++) {
            Verdict v = runEntry(entries[i], pkt, state);
            switch (v) {
                case ACCEPT:
                    continue;
                case STOLEN:
                    return;
                case QUEUE:
                    queue(entries, i, pkt, state, okfn);
                    return;
                default: // DROP, or a REPEAT loop cut short
                    drops.drop(pkt, DropReason.NETFILTER_DROP);
                    return;
            }
        }
        okfn.handle(pkt);
    }

    /** Calls one function, calling it again while it answers REPEAT (bounded, so a buggy hook cannot spin). */
    private static Verdict runEntry(Entry e, PacketBuffer pkt, HookState state) {
        for (int n = 0; n < MAX_REPEATS; n++) {
            Verdict v = e.fn().hook(pkt, state);
            if (v != Verdict.REPEAT) {
                return v;
            }
        }
        return Verdict.DROP;
    }

    private void queue(Entry[] entries, int index, PacketBuffer pkt, HookState state, PacketHandler okfn) {
        QueueHandler handler = queueHandler;
        if (handler == null) {
            drops.drop(pkt, DropReason.NETFILTER_DROP);
            return;
        }
        handler.enqueue(new QueueHandler.QueuedPacket() {
            @Override
            public PacketBuffer packet() {
                return pkt;
            }

            @Override
            public HookState state() {
                return state;
            }

            @Override
            public void reinject(Verdict verdict) {
                switch (verdict) {
                    case ACCEPT -> traverse(entries, index + 1, pkt, state, okfn);
                    case REPEAT -> traverse(entries, index, pkt, state, okfn);
                    case STOLEN -> { }
                    case QUEUE -> queue(entries, index, pkt, state, okfn);
                    default -> drops.drop(pkt, DropReason.NETFILTER_DROP);
                }
            }
        });
    }
}
