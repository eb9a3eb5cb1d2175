package io.ustack.core.netfilter.rules;

import io.ustack.core.buffer.PacketBuffer;

/**
 * The answers REJECT sends about a packet it refuses, one implementation per family: nf_reject_ipv4
 * ({@link NfReject}) and nf_reject_ipv6 ({@link NfReject6}). Both borrow the packet (network header set).
 */
public interface RejectSender {
    /** nf_send_unreach(6): a destination unreachable with {@code code} about {@code pkt}. */
    void sendUnreach(PacketBuffer pkt, int code);

    /** nf_send_reset(6): a TCP RST for the segment in {@code pkt}. */
    void sendReset(PacketBuffer pkt);
}
