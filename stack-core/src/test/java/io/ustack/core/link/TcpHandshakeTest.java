package io.ustack.core.link;

import static io.ustack.core.testing.Frames.arp;
import static io.ustack.core.testing.Frames.concat;
import static io.ustack.core.testing.Frames.eth;
import static io.ustack.core.testing.Frames.extHeader;
import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.tcp6;
import static io.ustack.core.testing.Frames.udp;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.HOST_MAC;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static io.ustack.core.testing.StackHarness.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.testing.PooledBufferTest;
import io.ustack.core.wire.EthernetFrame;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Which frames are the handshake segments a flood is made of: SYNs received, SYN-ACKs about to be sent. */
class TcpHandshakeTest extends PooledBufferTest {
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private static final int ACK = 0x10;

    /** As received: data at the network header, protocol set by eth_type_trans. */
    private boolean is(int protocol, byte[] packet) {
        PacketBuffer b = buffer(packet);
        try {
            b.setProtocol(protocol);
            return TcpHandshake.isRequest(b);
        } finally {
            b.release();
        }
    }

    /** As sent: a whole frame from its Ethernet header. */
    private boolean isReply(int type, byte[] packet) {
        PacketBuffer b = buffer(eth(HOST_MAC, STACK_MAC, type, packet));
        try {
            return TcpHandshake.isReply(b);
        } finally {
            b.release();
        }
    }

    private static byte[] segment(int flags, int fragOffField) {
        return ipv4(HOST_IP, STACK_IP, 6, 64, 1, fragOffField, tcp(HOST_IP, STACK_IP, 40000, 80, 1, 0, flags, new byte[0]));
    }

    @Test
    void aBareSynIsOne() {
        assertEquals(true, is(EthernetFrame.ETH_P_IP, segment(SYN, 0)));
        assertEquals(true, is(EthernetFrame.ETH_P_IP, segment(SYN | 0x40 | 0x80, 0)), "ECN-setup SYN (ECE, CWR)");
    }

    @Test
    void segmentsOfAConnectionAreNot() {
        assertEquals(false, is(EthernetFrame.ETH_P_IP, segment(SYN | ACK, 0)), "a SYN-ACK answers our own request");
        assertEquals(false, is(EthernetFrame.ETH_P_IP, segment(ACK, 0)));
        assertEquals(false, is(EthernetFrame.ETH_P_IP, segment(SYN | RST, 0)));
        assertEquals(false, is(EthernetFrame.ETH_P_IP, segment(RST, 0)));
    }

    @Test
    void aSynAckAboutToBeSentIsAReplyAndNothingElseIs() {
        assertEquals(true, isReply(EthernetFrame.ETH_P_IP, segment(SYN | ACK, 0)));
        assertEquals(false, isReply(EthernetFrame.ETH_P_IP, segment(SYN, 0)));
        assertEquals(false, isReply(EthernetFrame.ETH_P_IP, segment(ACK, 0)));
        assertEquals(false, isReply(EthernetFrame.ETH_P_IP, segment(SYN | ACK | 0x01, 0)));
        assertEquals(false, isReply(EthernetFrame.ETH_P_ARP, segment(SYN | ACK, 0)), "not IPv4");
        assertEquals(false, isReply(EthernetFrame.ETH_P_IP, Arrays.copyOf(segment(SYN | ACK, 0), 30)));
        PacketBuffer runt = buffer(new byte[10]);
        try {
            assertEquals(false, TcpHandshake.isReply(runt), "shorter than an Ethernet header");
        } finally {
            runt.release();
        }
    }

    @Test
    void otherPacketsAreNot() {
        assertEquals(false, is(EthernetFrame.ETH_P_IP, segment(SYN, 100)), "a non-first fragment holds no TCP header");
        assertEquals(false, is(EthernetFrame.ETH_P_IP, ipv4(HOST_IP, STACK_IP, 17, 64, 1, 0,
                udp(HOST_IP, STACK_IP, 40000, 80, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, SYN}))));
        assertEquals(false, is(EthernetFrame.ETH_P_ARP, arp(1, HOST_MAC, HOST_IP, 0, STACK_IP)));
        assertEquals(false, is(EthernetFrame.ETH_P_IP, Arrays.copyOf(segment(SYN, 0), 30)), "truncated: no whole TCP header");
    }

    /** Over IPv6 the same, with TCP right behind the fixed header: a SYN flood over IPv6 is shed first too. */
    @Test
    void overIpv6ABareSynIsARequestAndASynAckAReply() {
        byte[] syn = ipv6(HOST_IP6, STACK_IP6, 6, 64, tcp6(HOST_IP6, STACK_IP6, 40000, 80, 1, 0, SYN, new byte[0]));
        byte[] synAck = ipv6(STACK_IP6, HOST_IP6, 6, 64, tcp6(STACK_IP6, HOST_IP6, 80, 40000, 1, 2, SYN | ACK, new byte[0]));
        assertEquals(true, is(EthernetFrame.ETH_P_IPV6, syn));
        assertEquals(false, is(EthernetFrame.ETH_P_IPV6, synAck));
        assertEquals(true, isReply(EthernetFrame.ETH_P_IPV6, synAck));
        assertEquals(false, isReply(EthernetFrame.ETH_P_IPV6, syn));
        assertEquals(false, is(EthernetFrame.ETH_P_IP, syn), "an IPv6 packet read as IPv4 is none");
        byte[] behindHopByHop = ipv6(HOST_IP6, STACK_IP6, 0, 64, concat(extHeader(6, 1, 4, 0, 0, 0, 0),
                tcp6(HOST_IP6, STACK_IP6, 40000, 80, 1, 0, SYN, new byte[0])));
        assertEquals(false, is(EthernetFrame.ETH_P_IPV6, behindHopByHop), "not right behind the fixed header");
    }
}
