package io.ustack.core.wire;

import static io.ustack.core.wire.EthernetFrameTest.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.buffer.PacketBuffer;
import java.util.Random;
import io.ustack.core.testing.PooledBufferTest;
import org.junit.jupiter.api.Test;

class ChecksumTest extends PooledBufferTest {

    /** The textbook definition, sixteen bits at a time, odd byte padded with zero: the reference. */
    private static int reference(byte[] d, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = d[off + i] & 0xff;
            int lo = i + 1 < len ? d[off + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    @Test
    void rfc1071Example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to 0x2ddf0, folded 0xddf2, checksum 0x220d.
        PacketBuffer b = buffer(hex("0001 f203 f4f5 f6f7"));
        long partial = Checksum.partial(b, 0, 8, 0);
        assertEquals(0xddf2, ~Checksum.fold(partial) & 0xffff);
        assertEquals(0x220d, Checksum.compute(b, 0, 8));
        b.release();
    }

    @Test
    void rfc1071ExampleAtEveryAlignmentAndSplit() {
        byte[] d = hex("0001 f203 f4f5 f6f7");
        for (int pad = 0; pad < 9; pad++) {
            PacketBuffer b = pool.allocate(32);
            b.put(pad + 8);
            b.copyIn(pad, d, 0, 8);
            assertEquals(0x220d, Checksum.compute(b, pad, 8), "offset " + pad);
            for (int split = 0; split <= 8; split += 2) {
                long s = Checksum.partial(b, pad, split, 0);
                s = Checksum.partial(b, pad + split, 8 - split, s);
                assertEquals(0x220d, Checksum.fold(s), "offset " + pad + " split " + split);
            }
            b.release();
        }
    }

    @Test
    void oddLengthPadsTheLastByteWithZero() {
        // 0x2ddf0 + 0xab00 = 0x388f0, folded 0x88f3, checksum 0x770c (checked independently).
        PacketBuffer b = buffer(hex("0001 f203 f4f5 f6f7 ab"));
        assertEquals(0x770c, Checksum.compute(b, 0, 9));
        b.release();
        b = buffer(hex("ab"));
        assertEquals(~0xab00 & 0xffff, Checksum.compute(b, 0, 1));
        b.release();
        b = buffer(hex("0001 f203 f4f5 f6f7 ab00"));
        assertEquals(0x770c, Checksum.compute(b, 0, 10), "a trailing zero byte changes nothing");
        b.release();
    }

    @Test
    void emptyAndZeroRangesGiveAllOnes() {
        PacketBuffer b = buffer(new byte[64]);
        assertEquals(0xffff, Checksum.compute(b, 0, 0));
        assertEquals(0xffff, Checksum.compute(b, 0, 64));
        b.release();
    }

    @Test
    void allOnesSumsToNegativeZero() {
        byte[] d = new byte[65535];
        java.util.Arrays.fill(d, (byte) 0xff);
        PacketBuffer b = buffer(d);
        assertEquals(reference(d, 0, d.length), Checksum.compute(b, 0, d.length));
        assertEquals(0, Checksum.compute(b, 0, 2));
        b.release();
    }

    @Test
    void matchesTheReferenceForRandomLengthsAndOffsets() {
        Random rnd = new Random(42);
        for (int i = 0; i < 2000; i++) {
            int len = rnd.nextInt(300);
            int off = rnd.nextInt(16);
            byte[] d = new byte[off + len];
            rnd.nextBytes(d);
            PacketBuffer b = buffer(d);
            assertEquals(reference(d, off, len), Checksum.compute(b, off, len), "len " + len + " off " + off);
            b.release();
        }
    }

    @Test
    void checksumStoredInTheDataChecksToZero() {
        Random rnd = new Random(7);
        for (int i = 0; i < 200; i++) {
            int len = 2 * (2 + rnd.nextInt(100));
            byte[] d = new byte[len];
            rnd.nextBytes(d);
            d[2] = 0;
            d[3] = 0;
            PacketBuffer b = buffer(d);
            b.setU16(2, Checksum.compute(b, 0, len));
            assertEquals(0, Checksum.compute(b, 0, len));
            b.release();
        }
    }

    @Test
    void replace16EqualsFullRecomputation() {
        Random rnd = new Random(1624);
        for (int i = 0; i < 20_000; i++) {
            int len = 2 * (3 + rnd.nextInt(30));
            byte[] d = new byte[len];
            rnd.nextBytes(d);
            if (i % 10 == 0) {
                // the edges of one's complement: sums at or near 0xffff. The last word is never the one
                // changed and stays non-zero, as real headers are (an all-zero range has no +0 checksum).
                java.util.Arrays.fill(d, (byte) (i % 20 == 0 ? 0 : 0xff));
                d[len - 1] = 1;
            }
            PacketBuffer b = buffer(d);
            b.setU16(0, 0);
            b.setU16(0, Checksum.compute(b, 0, len));
            int word = 2 + 2 * rnd.nextInt(len / 2 - 2);
            int from = b.u16(word);
            int to = switch (i % 4) {
                case 0 -> 0;
                case 1 -> 0xffff;
                default -> rnd.nextInt(0x10000);
            };
            b.setU16(word, to);
            int incremental = Checksum.replace16(b.u16(0), from, to);
            b.setU16(0, 0);
            int full = Checksum.compute(b, 0, len);
            assertEquals(full, incremental, "case " + i + ": word " + word + " " + from + " -> " + to);
            b.release();
        }
    }

    @Test
    void replace16WithNoChangeKeepsTheChecksum() {
        assertEquals(0xe230, Checksum.replace16(0xe230, 0x4001, 0x4001));
        // RFC 1624 section 4: HC = 0xdd2f, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000.
        assertEquals(0x0000, Checksum.replace16(0xdd2f, 0x5555, 0x3285));
    }

    @Test
    void foldHandlesCarriesBeyondSixteenBits() {
        assertEquals(0xffff, Checksum.fold(0));
        assertEquals(0, Checksum.fold(0xffff));
        assertEquals(0xfffe, Checksum.fold(0x1_0000)); // folds to 1
        assertEquals(0xfffc, Checksum.fold(0xffff_0003L)); // 0xffff + 0x0003 = 0x10002, then 0x0003
    }

    @Test
    void aPartialChecksumHoldsThePseudoHeaderSumFoldedNotComplemented() {
        // 10.0.0.2 -> 10.0.0.1, TCP, 52 bytes: 0a00 + 0002 + 0a00 + 0001 + 0006 + 0034 = 0x143d
        assertEquals(0x143d, Checksum.pseudoHeaderPartial(0x0a00_0002, 0x0a00_0001, 6, 52));
        // a sum past sixteen bits folds its carries back in: five words of all ones are five (negative)
        // zeros in one's complement, which leaves the protocol
        assertEquals(0x0011, Checksum.pseudoHeaderPartial(-1, -1, 17, 0xffff));
    }

    @Test
    void replacePartial16EqualsThePseudoHeaderSumOfTheNewFields() {
        Random rnd = new Random(4);
        for (int i = 0; i < 20_000; i++) {
            int saddr = rnd.nextInt();
            int daddr = i % 10 == 0 ? ~saddr : rnd.nextInt(); // the edge: halves that cancel out
            int len = rnd.nextInt(0x10000);
            int partial = Checksum.pseudoHeaderPartial(saddr, daddr, 6, len);
            int newSaddr = rnd.nextInt();
            int newLen = rnd.nextInt(0x10000);
            int patched = Checksum.replacePartial16(Checksum.replacePartial16(partial, saddr >>> 16, newSaddr >>> 16),
                    saddr & 0xffff, newSaddr & 0xffff);
            patched = Checksum.replacePartial16(patched, len, newLen);
            assertEquals(Checksum.pseudoHeaderPartial(newSaddr, daddr, 6, newLen), patched, "case " + i);
        }
    }
}
