package io.ustack.core.stack;

import io.ustack.core.buffer.PacketBuffer;

/**
 * A ptype_all handler: sees every received frame before protocol dispatch (packet capture). Borrows the
 * packet: it must copy what it keeps, and must not change it. The frame starts at {@code pkt.macHeader()}.
 */
@FunctionalInterface
public interface PacketTap {
    void tap(PacketBuffer pkt);
}
