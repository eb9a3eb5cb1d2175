package io.ustack.core.buffer;

/**
 * One step of a packet's way through the stack (a dst.input, dst.output or an okfn after a netfilter hook).
 * Takes ownership of the packet: the step must hand it on, release it, or drop it.
 */
@FunctionalInterface
public interface PacketHandler {
    void handle(PacketBuffer pkt);
}
