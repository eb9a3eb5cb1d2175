package io.ustack.cli.packetdrill;

import java.util.HashMap;
import java.util.Map;

/**
 * The connection a script drives (packetdrill's socket under test) as the wire sees it: its ports and how its
 * sequence numbers and timestamps map between the script and the stack (socket.h's offsets). As tcpdump
 * writes them, a packet with SYN carries absolute numbers and every other one numbers relative to the ISNs.
 * The remote ISN is the script's own, so it needs no mapping; the local one is learnt from the stack's SYN
 * or SYN-ACK.
 */
final class Connection {
    int localPort;
    int remotePort;
    /** The script's local ISN (as its SYN or SYN-ACK line writes it) and the stack's, once seen. */
    long scriptLocalIsn;
    long liveLocalIsn;
    boolean localIsnKnown;
    long remoteIsn;
    /** TS val as the script wrote it for an outbound packet, to the stack's value on the wire. */
    private final Map<Long, Long> tsVals = new HashMap<>();

    Connection(int localPort, int remotePort) {
        this.localPort = localPort;
        this.remotePort = remotePort;
    }

    /** map_inbound_packet's seq: a SYN's as written, any other relative to the remote ISN. */
    long inboundSeq(long script, boolean syn) {
        return syn ? script : script + remoteIsn;
    }

    /** map_inbound_packet's ack (and SACK blocks): relative to our ISN, a SYN-ACK's by the ISNs' difference. */
    long inboundAck(long script, boolean syn) {
        return syn ? script + (liveLocalIsn - scriptLocalIsn) : script + liveLocalIsn;
    }

    /** tcp_convert_seq_number for an outbound seq. */
    long outboundSeq(long live, boolean syn) {
        return u32(syn ? live - (liveLocalIsn - scriptLocalIsn) : live - liveLocalIsn);
    }

    /** tcp_convert_seq_number for an outbound ack (and SACK blocks). */
    long outboundAck(long live, boolean syn) {
        return u32(syn ? live : live - remoteIsn);
    }

    /** An outbound packet with a timestamp: its script TS val stands for the stack's from now on. */
    void rememberTsVal(long script, long live) {
        tsVals.put(script, live);
    }

    /** The stack's TS val that an inbound TS ecr written as {@code script} echoes, or null if none was seen. */
    Long liveTsVal(long script) {
        return tsVals.get(script);
    }

    static long u32(long v) {
        return v & 0xffff_ffffL;
    }
}
