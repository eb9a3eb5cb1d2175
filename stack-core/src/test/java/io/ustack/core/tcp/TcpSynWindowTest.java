package io.ustack.core.tcp;

import static io.ustack.core.testing.Frames.ipv4;
import static io.ustack.core.testing.Frames.tcp;
import static io.ustack.core.testing.Frames.u16;
import static io.ustack.core.testing.Frames.u8;
import static io.ustack.core.testing.StackHarness.HOST_IP;
import static io.ustack.core.testing.StackHarness.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.stack.Sysctl;
import io.ustack.core.testing.StackHarness;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The window and window scale a SYN and a SYN-ACK offer, as tcp_select_initial_window derives them from
 * tcp_rmem, and the options' layout as tcp_options_write writes it: byte for byte what Linux 6.x sends.
 */
class TcpSynWindowTest {
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    /** Where the TCP header starts in a sent frame: Ethernet and a 20-byte IPv4 header. */
    private static final int TCP = 14 + 20;
    private final StackHarness h = new StackHarness();
    private final Sysctl sysctl = new Sysctl(h.stack);

    @AfterEach
    void leakCheck() {
        h.close();
    }

    /** The SYN-ACK our listener on port 80 sends to a SYN with {@code options}. */
    private byte[] synAckTo(int window, byte[] options) throws Exception {
        h.hostArps();
        try (TcpListener l = h.stack.tcp().listen(0, 80, 8)) {
            h.injectIp(ipv4(HOST_IP, STACK_IP, 6, 64, 1, 0,
                    tcp(HOST_IP, STACK_IP, 40000, 80, 0, 0, SYN, window, options, new byte[0])));
            List<byte[]> out = h.sent();
            byte[] synAck = out.get(out.size() - 1);
            assertEquals(SYN | ACK, u8(synAck, TCP + 13));
            return synAck;
        }
    }

    private static byte[] options(byte[] segment) {
        int doff = (u8(segment, TCP + 12) >> 4) * 4;
        return Arrays.copyOfRange(segment, TCP + 20, TCP + doff);
    }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    /**
     * Linux's packetdrill scripts (tcp_inq_server.pkt): with tcp_rmem "4096 540000 15728640",
     * {@code < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 10>} is answered with
     * {@code > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>}, window 65535 (half of 540000,
     * rounded down to 1460s, then the most a SYN-ACK's field holds), scale 8 for 15 MiB.
     */
    @Test
    void packetdrillsTcpRmemGivesWscale8AndTheLayoutOfLinux() throws Exception {
        sysctl.set("net.ipv4.tcp_rmem", "4096 540000 15728640");
        assertEquals("4096\t540000\t15728640", sysctl.get("net.ipv4.tcp_rmem"));
        byte[] synAck = synAckTo(32792, bytes(2, 4, 0x03, 0xe8, 4, 2, 1, 1, 1, 3, 3, 10));
        assertEquals(65535, u16(synAck, TCP + 14));
        assertArrayEquals(bytes(2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 8), options(synAck));
    }

    /** The defaults (tcp_rmem 131072, 32 MiB as Linux 6.18's): 65536 rounded down to 44 segments of 1460, scale 10. */
    @Test
    void defaultsOffer64240AndWscale10() throws Exception {
        byte[] synAck = synAckTo(64240, bytes(2, 4, 0x05, 0xb4, 4, 2, 1, 1, 1, 3, 3, 7));
        assertEquals(64240, u16(synAck, TCP + 14));
        assertArrayEquals(bytes(2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 10), options(synAck));
    }

    /**
     * With timestamps the SYN-ACK's window is rounded to 1448-byte segments (the MSS less the option):
     * 65160; the options are mss, sackOK and TS together, nop, wscale.
     */
    @Test
    void withTimestampsTheWindowIsRoundedToTheSegmentLessTheOption() throws Exception {
        byte[] synAck = synAckTo(64240, bytes(2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 100, 0, 0, 0, 0, 1, 3, 3, 7));
        assertEquals(65160, u16(synAck, TCP + 14));
        byte[] o = options(synAck);
        assertEquals(20, o.length);
        assertArrayEquals(bytes(2, 4, 0x05, 0xb4, 4, 2, 8, 10), Arrays.copyOfRange(o, 0, 8));
        assertArrayEquals(bytes(0, 0, 0, 100), Arrays.copyOfRange(o, 12, 16), "TS ecr echoes the SYN's val");
        assertArrayEquals(bytes(1, 3, 3, 10), Arrays.copyOfRange(o, 16, 20));
    }

    /** Without SACK and timestamps: mss, nop, wscale. */
    @Test
    void withoutSackOrTimestampsTheLayoutIsMssNopWscale() throws Exception {
        byte[] synAck = synAckTo(64240, bytes(2, 4, 0x05, 0xb4, 1, 3, 3, 7));
        assertArrayEquals(bytes(2, 4, 0x05, 0xb4, 1, 3, 3, 10), options(synAck));
    }

    /** tcp_wmem sets the send buffer new connections get, and both read back as /proc/sys prints them. */
    @Test
    void tcpWmemAndRmemReachTheConfig() {
        assertEquals("4096\t131072\t33554432", sysctl.get("net.ipv4.tcp_rmem"));
        sysctl.set("net.ipv4.tcp_wmem", " 4096 262144\t4194304\n");
        assertEquals("4096\t262144\t4194304", sysctl.get("net.ipv4.tcp_wmem"));
        assertEquals(262_144, h.stack.tcp().config().sndBuf());
        sysctl.set("net.ipv4.tcp_rmem", "4096 540000 15728640");
        assertEquals(540_000, h.stack.tcp().config().rcvBuf());
        assertEquals(15_728_640, h.stack.tcp().config().rcvBufMax());
        assertEquals(8, Receiver.initialWscale(h.stack.tcp().config()));
        assertEquals(10, Receiver.initialWscale(TcpConfig.defaults()), "32 MiB, Linux 6.18's tcp_rmem[2]");
        assertEquals(14, Receiver.initialWscale(TcpConfig.defaults().withRmem(4096, 131_072, Integer.MAX_VALUE)),
                "never more than 14");
        assertEquals(2, Receiver.initialWscale(TcpConfig.defaults().withRmem(4096, 16_384, 65_536)),
                "rmem_max (212992) counts too");
    }
}
