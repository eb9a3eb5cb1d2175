package io.ustack.core.netfilter;

import io.ustack.core.link.NetDevice;

/** struct nf_hook_state: where a packet is being inspected. {@code in} or {@code out} is null where absent. */
public record HookState(Hook hook, NetDevice in, NetDevice out) {
}
