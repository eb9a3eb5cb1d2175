package io.ustack.core.netfilter;

import io.ustack.core.buffer.PacketBuffer;

/** nf_hookfn: inspects a packet at a hook. Borrows the packet unless it returns {@link Verdict#STOLEN}. */
@FunctionalInterface
public interface HookFunction {
    Verdict hook(PacketBuffer pkt, HookState state);
}
