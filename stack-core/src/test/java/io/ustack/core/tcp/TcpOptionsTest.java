package io.ustack.core.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.TcpSegment;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import io.ustack.core.testing.PooledBufferTest;
import org.junit.jupiter.api.Test;

class TcpOptionsTest extends PooledBufferTest {
    /*
     * Option bytes from segments Linux 6.18 sent over a veth pair (tcpdump, checksum offload off); the SACKs
     * were provoked by iptables dropping chosen segments at the receiver. tcpdump's reading of each is given.
     */
    /** SYN: mss 1460,sackOK,TS val 175884730 ecr 0,nop,wscale 10. */
    static final String SYN = "020405b4 0402080a 0a7bc9ba 00000000 0103030a";
    /** SYN-ACK: mss 1460,sackOK,TS val 1275058852 ecr 175884730,nop,wscale 10. */
    static final String SYN_ACK = "020405b4 0402080a 4bffdaa4 0a7bc9ba 0103030a";
    /** SYN with net.ipv4.tcp_timestamps=0: mss 1460,nop,nop,sackOK,nop,wscale 10. */
    static final String SYN_NO_TS = "020405b4 01010402 0103030a";
    /** SYN with net.ipv4.tcp_sack=0: mss 1460,nop,nop,TS val 667993275 ecr 0,nop,wscale 10. */
    static final String SYN_NO_SACK = "020405b4 0101080a 27d0c4bb 00000000 0103030a";
    /** SYN with both off: mss 1460,nop,wscale 10. */
    static final String SYN_BARE = "020405b4 0103030a";
    /** A data segment: nop,nop,TS val 175884780 ecr 1275058852. */
    static final String DATA = "0101080a 0a7bc9ec 4bffdaa4";
    /** nop,nop,TS val 495648802 ecr 534582081,nop,nop,sack 1 {177:265}, sequence numbers absolute here. */
    static final String SACK1_TS = "0101080a 1d8b0022 1fdd1341 0101050a 4621446b 462144c3";
    /** nop,nop,TS ...,nop,nop,sack 2 {353:441}{177:265}. */
    static final String SACK2_TS = "0101080a 1d8b0022 1fdd1341 01010512 4621451b 46214573 4621446b 462144c3";
    /** nop,nop,TS val 584806930 ecr 3236720725,nop,nop,sack 3: four holes, three blocks fit beside TS. */
    static final String SACK3_TS = "0101080a 22db7212 c0ec7055 0101051a"
            + " 1cc908a3 1cc908fb 1cc907f3 1cc9084b 1cc90743 1cc9079b";
    /** With net.ipv4.tcp_timestamps=0: nop,nop,sack 4 {801:901}{601:701}{401:501}{201:301}. */
    static final String SACK4 = "01010522 2485f543 2485f5a7 2485f47b 2485f4df 2485f3b3 2485f417 2485f2eb 2485f34f";

    private final TcpOptions opts = new TcpOptions();

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    /** Parses {@code hex} as a whole options area. */
    private TcpOptions parse(String hex) {
        byte[] d = hex(hex);
        PacketBuffer b = buffer(d);
        try {
            opts.parse(b, 0, d.length);
            return opts;
        } finally {
            b.release();
        }
    }

    /** What {@code o} writes, with the length() it announced checked against it. */
    private byte[] written(TcpOptions o) {
        PacketBuffer b = pool.allocate(128);
        try {
            b.fill(0, 128, (byte) 0xee);
            int n = o.write(b, 8);
            assertEquals(o.length(), n, "write and length agree");
            assertEquals(0, n % 4, "a whole number of words");
            assertTrue(n <= TcpOptions.MAX_OPTION_SPACE);
            assertEquals(0xee, b.u8(7), "nothing written before off");
            assertEquals(0xee, b.u8(8 + n), "nothing written past length()");
            byte[] out = new byte[n];
            b.copyOut(8, out, 0, n);
            return out;
        } finally {
            b.release();
        }
    }

    private static void assertNoOptions(TcpOptions o) {
        assertEquals(-1, o.mss());
        assertEquals(-1, o.wscale());
        assertFalse(o.sackPermitted());
        assertFalse(o.timestamps());
        assertEquals(0, o.numSacks());
    }

    // ---- Linux's bytes to fields ----

    @Test
    void linuxSyn() {
        TcpOptions o = parse(SYN);
        assertEquals(1460, o.mss());
        assertTrue(o.sackPermitted());
        assertTrue(o.timestamps());
        assertEquals(175884730, o.tsVal());
        assertEquals(0, o.tsEcr());
        assertEquals(10, o.wscale());
        assertEquals(0, o.numSacks());
    }

    @Test
    void linuxSynAck() {
        TcpOptions o = parse(SYN_ACK);
        assertEquals(1460, o.mss());
        assertTrue(o.sackPermitted());
        assertEquals(1275058852, o.tsVal());
        assertEquals(175884730, o.tsEcr());
        assertEquals(10, o.wscale());
    }

    @Test
    void linuxSynsWithOptionsSwitchedOff() {
        TcpOptions o = parse(SYN_NO_TS);
        assertEquals(1460, o.mss());
        assertTrue(o.sackPermitted());
        assertFalse(o.timestamps());
        assertEquals(10, o.wscale());

        o = parse(SYN_NO_SACK);
        assertFalse(o.sackPermitted());
        assertTrue(o.timestamps());
        assertEquals(667993275, o.tsVal());
        assertEquals(10, o.wscale());

        o = parse(SYN_BARE);
        assertEquals(1460, o.mss());
        assertEquals(10, o.wscale());
        assertFalse(o.sackPermitted());
        assertFalse(o.timestamps());
    }

    @Test
    void linuxDataSegment() {
        TcpOptions o = parse(DATA);
        assertTrue(o.timestamps());
        assertEquals(175884780, o.tsVal());
        assertEquals(1275058852, o.tsEcr());
        assertEquals(-1, o.mss());
        assertEquals(-1, o.wscale());
        assertFalse(o.sackPermitted());
        assertEquals(0, o.numSacks());
    }

    @Test
    void linuxSackBlocks() {
        TcpOptions o = parse(SACK1_TS);
        assertTrue(o.timestamps());
        assertEquals(1, o.numSacks());
        assertEquals(0x4621446b, o.sackStart(0));
        assertEquals(0x462144c3, o.sackEnd(0));

        o = parse(SACK2_TS);
        assertEquals(2, o.numSacks());
        assertEquals(0x4621451b, o.sackStart(0), "the most recent block first");
        assertEquals(0x46214573, o.sackEnd(0));
        assertEquals(0x4621446b, o.sackStart(1));
        assertEquals(0x462144c3, o.sackEnd(1));

        o = parse(SACK3_TS);
        assertEquals(3, o.numSacks());
        assertEquals(0x1cc908a3, o.sackStart(0));
        assertEquals(0x1cc9079b, o.sackEnd(2));

        o = parse(SACK4);
        assertFalse(o.timestamps());
        assertEquals(4, o.numSacks());
        int[] expected = {0x2485f543, 0x2485f5a7, 0x2485f47b, 0x2485f4df, 0x2485f3b3, 0x2485f417, 0x2485f2eb, 0x2485f34f};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[2 * i], o.sackStart(i));
            assertEquals(expected[2 * i + 1], o.sackEnd(i));
            assertEquals(100, o.sackEnd(i) - o.sackStart(i), "block " + i);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> opts.sackStart(4));
        assertThrows(IndexOutOfBoundsException.class, () -> opts.sackEnd(-1));
    }

    // ---- fields to Linux's bytes ----

    @Test
    void writesTheLinuxSynLayout() {
        opts.clear();
        opts.setMss(1460);
        opts.setSackPermitted(true);
        opts.setTimestamps(175884730, 0);
        opts.setWscale(10);
        assertEquals(20, opts.length());
        assertArrayEquals(hex(SYN), written(opts));

        opts.clear();
        opts.setMss(1460);
        opts.setSackPermitted(true);
        opts.setTimestamps(1275058852, 175884730);
        opts.setWscale(10);
        assertArrayEquals(hex(SYN_ACK), written(opts));
    }

    @Test
    void writesTheSynLayoutsWithoutTimestampsOrSack() {
        opts.clear();
        opts.setMss(1460);
        opts.setSackPermitted(true);
        opts.setWscale(10);
        assertArrayEquals(hex(SYN_NO_TS), written(opts));

        opts.clear();
        opts.setMss(1460);
        opts.setTimestamps(667993275, 0);
        opts.setWscale(10);
        assertArrayEquals(hex(SYN_NO_SACK), written(opts));

        opts.clear();
        opts.setMss(1460);
        opts.setWscale(10);
        assertArrayEquals(hex(SYN_BARE), written(opts));

        opts.clear();
        opts.setMss(1460);
        assertArrayEquals(hex("020405b4"), written(opts), "no window scaling: no NOP-padded WS either");
    }

    @Test
    void writesTheDataSegmentLayout() {
        opts.clear();
        opts.setTimestamps(175884780, 1275058852);
        assertEquals(12, opts.length());
        assertArrayEquals(hex(DATA), written(opts));
    }

    @Test
    void writesLinuxSackLayouts() {
        opts.clear();
        opts.setTimestamps(0x1d8b0022, 0x1fdd1341);
        assertTrue(opts.addSack(0x4621446b, 0x462144c3));
        assertArrayEquals(hex(SACK1_TS), written(opts));

        opts.clear();
        opts.setTimestamps(0x1d8b0022, 0x1fdd1341);
        opts.addSack(0x4621451b, 0x46214573);
        opts.addSack(0x4621446b, 0x462144c3);
        assertArrayEquals(hex(SACK2_TS), written(opts));

        opts.clear();
        int[] four = {0x2485f543, 0x2485f5a7, 0x2485f47b, 0x2485f4df, 0x2485f3b3, 0x2485f417, 0x2485f2eb, 0x2485f34f};
        for (int i = 0; i < 8; i += 2) {
            assertTrue(opts.addSack(four[i], four[i + 1]));
        }
        assertFalse(opts.addSack(1, 2), "a fifth block is refused");
        assertEquals(4, opts.numSacks());
        assertEquals(36, opts.length());
        assertArrayEquals(hex(SACK4), written(opts));
    }

    @Test
    void withTimestampsOnlyThreeSackBlocksFit() {
        // Linux held four blocks here ({177:265} the oldest) and sent the three that fit beside the timestamp:
        // 12 + 4 + 3 * 8 = 40
        opts.clear();
        opts.setTimestamps(0x22db7212, 0xc0ec7055);
        int[] blocks = {0x1cc908a3, 0x1cc908fb, 0x1cc907f3, 0x1cc9084b, 0x1cc90743, 0x1cc9079b, 0x1cc90693, 0x1cc906eb};
        for (int i = 0; i < 8; i += 2) {
            opts.addSack(blocks[i], blocks[i + 1]);
        }
        assertEquals(4, opts.numSacks());
        assertEquals(40, opts.length());
        assertArrayEquals(hex(SACK3_TS), written(opts));
    }

    @Test
    void sackBlocksYieldToSynOptionsRatherThanOverflow() {
        // never sent by Linux (no SACK blocks on a SYN), but the 40-byte limit must hold whatever is asked
        opts.clear();
        opts.setMss(1460);
        opts.setSackPermitted(true);
        opts.setTimestamps(1, 2);
        opts.setWscale(7);
        for (int i = 0; i < 4; i++) {
            opts.addSack(i * 100, i * 100 + 50);
        }
        assertEquals(40, opts.length(), "20 + 4 + two blocks");
        byte[] out = written(opts);
        assertArrayEquals(hex("01010512 00000000 00000032 00000064 00000096"), Arrays.copyOfRange(out, 20, 40));
    }

    @Test
    void nothingToWrite() {
        opts.clear();
        assertEquals(0, opts.length());
        assertEquals(0, written(opts).length);
    }

    @Test
    void aWholeLinuxSynFromTcpSegmentAndTcpOptions() {
        // the captured SYN, header and checksum included, rebuilt from fields
        byte[] expected = hex("a8ca 0050 b3b02611 00000000 a002 faf0 e15d 0000" + SYN);
        opts.clear();
        opts.setMss(1460);
        opts.setSackPermitted(true);
        opts.setTimestamps(175884730, 0);
        opts.setWscale(10);
        PacketBuffer b = pool.allocate(128);
        b.reserve(BufferPool.DEFAULT_HEADROOM - 64);
        TcpSegment t = TcpSegment.push(b, 43210, 80, 0xb3b02611, 0, TcpSegment.SYN, 64240, opts.length());
        opts.write(b, t.optionsOffset());
        t.updateChecksum(Ipv4Address.parse("10.77.0.1"), Ipv4Address.parse("10.77.0.2"), b.len());
        assertArrayEquals(expected, b.toByteArray());

        opts.parse(b, t.optionsOffset(), t.optionsLength());
        assertEquals(1460, opts.mss());
        assertEquals(10, opts.wscale());
        b.release();
    }

    // ---- what a hostile or broken peer sends ----

    @Test
    void emptyAndPaddingOnly() {
        assertNoOptions(parse(""));
        assertNoOptions(parse("01010101"));
        assertNoOptions(parse("00000000"));
        assertNoOptions(parse("01010100"));
    }

    @Test
    void eolEndsTheList() {
        assertNoOptions(parse("00 020405b4 000000"));
        TcpOptions o = parse("020405b4 00 03030a 00 0402");
        assertEquals(1460, o.mss());
        assertEquals(-1, o.wscale(), "nothing after EOL is read");
        assertFalse(o.sackPermitted());
    }

    @Test
    void aKindWithoutItsLengthByteStops() {
        assertNoOptions(parse("010101 02"));
        TcpOptions o = parse("0101080a 00000001 00000002 02"); // TS, then MSS's kind as the last byte
        assertTrue(o.timestamps());
        assertEquals(1, o.tsVal());
        assertEquals(-1, o.mss());
    }

    @Test
    void lengthZeroOrOneStops() {
        for (String bad : new String[] {"00", "01"}) {
            TcpOptions o = parse("0101080a 00000001 00000002 02" + bad + "05b4 0103030a");
            assertTrue(o.timestamps(), "kept what came before a length of " + bad);
            assertEquals(-1, o.mss(), "length " + bad);
            assertEquals(-1, o.wscale(), "nothing after a length of " + bad);
            // unknown kinds obey the same rule
            o = parse("0402 1e" + bad + "0103030a");
            assertTrue(o.sackPermitted());
            assertEquals(-1, o.wscale(), "unknown kind, length " + bad);
        }
    }

    @Test
    void anOptionRunningPastTheEndStops() {
        TcpOptions o = parse("0103030a 020405"); // MSS claims 4 bytes, 3 remain
        assertEquals(10, o.wscale());
        assertEquals(-1, o.mss());
        o = parse("0402 080a 00000001 000000"); // a timestamp one byte short
        assertTrue(o.sackPermitted());
        assertFalse(o.timestamps());
        o = parse("0101 05 12 00000001 00000002 00000003"); // two SACK blocks promised, one and a half given
        assertEquals(0, o.numSacks());
        o = parse("1e 28 0000"); // an unknown option claiming 40 bytes
        assertNoOptions(o);
    }

    @Test
    void knownOptionsWithTheWrongLengthAreSkipped() {
        // tcp_parse_options steps over them by their own length and reads on
        TcpOptions o = parse("020305 0103030a 01"); // MSS of length 3
        assertEquals(-1, o.mss());
        assertEquals(10, o.wscale());
        o = parse("020605b40000 0402"); // MSS of length 6
        assertEquals(-1, o.mss());
        assertTrue(o.sackPermitted());
        o = parse("03040700 020405b4"); // window scale of length 4
        assertEquals(-1, o.wscale());
        assertEquals(1460, o.mss());
        o = parse("040300 01 0103030a"); // SACK-permitted of length 3
        assertFalse(o.sackPermitted());
        assertEquals(10, o.wscale());
        o = parse("0808 00000001 0000 0402"); // timestamp of length 8
        assertFalse(o.timestamps());
        assertTrue(o.sackPermitted());
        o = parse("0101 0509 00000001 000000 0402"); // SACK of length 9: not 2 + 8n
        assertEquals(0, o.numSacks());
        assertTrue(o.sackPermitted());
        o = parse("0502 0402"); // SACK with no block
        assertEquals(0, o.numSacks());
        assertTrue(o.sackPermitted());
    }

    @Test
    void anMssOfZeroIsIgnored() {
        assertEquals(-1, parse("02040000").mss());
        assertEquals(1, parse("02040001").mss());
        assertEquals(65535, parse("0204ffff").mss());
    }

    @Test
    void windowScaleIsClampedToFourteen() {
        assertEquals(0, parse("01030300").wscale());
        assertEquals(14, parse("0103030e").wscale());
        assertEquals(14, parse("0103030f").wscale());
        assertEquals(14, parse("010303ff").wscale());
    }

    @Test
    void theLastTimestampAndSackOptionCount() {
        TcpOptions o = parse("0101080a 00000001 00000002 0101080a 00000003 00000004");
        assertEquals(3, o.tsVal());
        assertEquals(4, o.tsEcr());
        o = parse("0101050a 00000001 00000002 0101050a 00000005 00000006");
        assertEquals(1, o.numSacks());
        assertEquals(5, o.sackStart(0));
        assertEquals(6, o.sackEnd(0));
    }

    @Test
    void atMostFourSackBlocksAreKept() {
        // five blocks cannot fit in a real header, but parse may be handed any range
        StringBuilder h = new StringBuilder("0101052a");
        for (int i = 1; i <= 10; i++) {
            h.append(String.format("%08x", i));
        }
        TcpOptions o = parse(h.toString());
        assertEquals(4, o.numSacks());
        assertEquals(7, o.sackStart(3));
        assertEquals(8, o.sackEnd(3));
    }

    @Test
    void unknownOptionsAreSteppedOver() {
        // MD5 signature (19, 18 bytes) then Fast Open (34) and an experimental (254) option
        TcpOptions o = parse("0101 1312 00112233445566778899aabbccddeeff 0101 2206 deadbeef fe04 f989 020405b4");
        assertEquals(1460, o.mss());
    }

    @Test
    void parseForgetsThePreviousSegment() {
        parse(SYN);
        assertNoOptions(parse("01010101"));
        parse(SACK4);
        TcpOptions o = parse(DATA);
        assertEquals(0, o.numSacks());
        assertTrue(o.timestamps());
    }

    @Test
    void parseNeverReadsPastTailOrBeforeTheBuffer() {
        byte[] d = hex(SYN);
        PacketBuffer b = buffer(d);
        b.trim(14); // the timestamp is cut in half: the claimed length runs past tail
        opts.parse(b, 0, d.length);
        assertEquals(1460, opts.mss());
        assertTrue(opts.sackPermitted());
        assertFalse(opts.timestamps());
        opts.parse(b, -1, 10);
        assertNoOptions(opts);
        opts.parse(b, 0, -4);
        assertNoOptions(opts);
        opts.parse(b, b.tail(), 40);
        assertNoOptions(opts);
        opts.parse(b, 4, Integer.MAX_VALUE);
        assertTrue(opts.sackPermitted(), "an absurd length is bounded by tail");
        b.release();
    }

    @Test
    void randomBytesNeverThrowAndStayInRange() {
        Random rnd = new Random(2018);
        PacketBuffer b = pool.allocate(64);
        b.put(64);
        byte[] d = new byte[64];
        for (int i = 0; i < 200_000; i++) {
            rnd.nextBytes(d);
            if (i % 2 == 0) {
                // bias toward plausible kinds and lengths so the deeper paths run too
                for (int j = 0; j < d.length; j += 1 + rnd.nextInt(4)) {
                    d[j] = (byte) new int[] {0, 1, 2, 3, 4, 5, 8, 30}[rnd.nextInt(8)];
                    if (j + 1 < d.length && rnd.nextBoolean()) {
                        d[j + 1] = (byte) rnd.nextInt(12);
                    }
                }
            }
            b.copyIn(0, d, 0, d.length);
            int off = rnd.nextInt(24);
            int len = rnd.nextInt(48);
            assertDoesNotThrow(() -> opts.parse(b, off, len));
            assertTrue(opts.mss() == -1 || (opts.mss() >= 1 && opts.mss() <= 0xffff));
            assertTrue(opts.wscale() >= -1 && opts.wscale() <= TcpOptions.MAX_WSCALE);
            assertTrue(opts.numSacks() >= 0 && opts.numSacks() <= TcpOptions.MAX_SACKS);
        }
        b.release();
    }

    @Test
    void whatIsWrittenParsesBack() {
        Random rnd = new Random(7323);
        TcpOptions in = new TcpOptions();
        PacketBuffer b = pool.allocate(64);
        b.put(TcpOptions.MAX_OPTION_SPACE);
        for (int i = 0; i < 20_000; i++) {
            opts.clear();
            boolean syn = rnd.nextBoolean();
            if (syn) {
                opts.setMss(rnd.nextBoolean() ? 1 + rnd.nextInt(0xffff) : -1);
                opts.setWscale(rnd.nextInt(16) - 1);
                opts.setSackPermitted(rnd.nextBoolean());
            }
            if (rnd.nextBoolean()) {
                opts.setTimestamps(rnd.nextInt(), rnd.nextInt());
            }
            int blocks = syn ? 0 : rnd.nextInt(5);
            for (int k = 0; k < blocks; k++) {
                int start = rnd.nextInt();
                opts.addSack(start, start + 1 + rnd.nextInt(1 << 20));
            }
            int n = opts.write(b, 0);
            in.parse(b, 0, n);
            assertEquals(opts.mss(), in.mss());
            assertEquals(opts.wscale(), in.wscale());
            assertEquals(opts.sackPermitted(), in.sackPermitted());
            assertEquals(opts.timestamps(), in.timestamps());
            if (opts.timestamps()) {
                assertEquals(opts.tsVal(), in.tsVal());
                assertEquals(opts.tsEcr(), in.tsEcr());
            }
            int sent = Math.min(blocks, opts.timestamps() ? 3 : 4);
            assertEquals(sent, in.numSacks(), "case " + i);
            for (int k = 0; k < sent; k++) {
                assertEquals(opts.sackStart(k), in.sackStart(k));
                assertEquals(opts.sackEnd(k), in.sackEnd(k));
            }
        }
        b.release();
    }

    @Test
    void settersRefuseWhatCannotBeSent() {
        assertThrows(IllegalArgumentException.class, () -> opts.setMss(65536));
        assertThrows(IllegalArgumentException.class, () -> opts.setMss(-2));
        assertThrows(IllegalArgumentException.class, () -> opts.setWscale(15));
        assertThrows(IllegalArgumentException.class, () -> opts.setWscale(-2));
        opts.setWscale(-1);
        opts.setMss(-1);
        assertEquals(0, opts.length());
    }
}
