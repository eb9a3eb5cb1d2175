package io.ustack.core.netfilter;

import io.ustack.core.buffer.PacketBuffer;

/**
 * nf_queue_handler: receives packets that a hook function answered with {@link Verdict#QUEUE}. Takes
 * ownership of the packet together with the entry, and must eventually call
 * {@link QueuedPacket#reinject(Verdict)} (nf_reinject) or drop the packet.
 */
@FunctionalInterface
public interface QueueHandler {
    void enqueue(QueuedPacket entry);

    /** A packet waiting in a queue, with where its traversal stopped. */
    interface QueuedPacket {
        PacketBuffer packet();

        HookState state();

        /** nf_reinject: resumes the traversal with the queue's verdict. */
        void reinject(Verdict verdict);
    }
}
