package io.ustack.core.netfilter;

/** What a hook function decides about a packet (NF_DROP ... NF_REPEAT). */
public enum Verdict {
    /** NF_DROP: discard the packet; the hook core drops it with reason NETFILTER_DROP. */
    DROP,
    /** NF_ACCEPT: go on to the next hook function, then to the okfn. */
    ACCEPT,
    /** NF_STOLEN: the hook function took ownership of the packet; traversal ends. */
    STOLEN,
    /** NF_QUEUE: hand the packet to the queue handler, which reinjects it later with a verdict. */
    QUEUE,
    /** NF_REPEAT: call the same hook function again. */
    REPEAT
}
