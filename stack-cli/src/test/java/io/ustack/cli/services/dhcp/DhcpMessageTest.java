package io.ustack.cli.services.dhcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DhcpMessageTest {
    /** A DISCOVER as udhcpc sends it, cut to its fields and three options (53, 50, 12). */
    static byte[] discoverBytes() {
        byte[] b = new byte[300];
        byte[] fixed = HexFormat.of().parseHex(
                "01010600" + "deadbeef" + "0003" + "8000" + "00000000" + "00000000" + "00000000" + "00000000"
                        + "020000000001" + "00000000000000000000");
        System.arraycopy(fixed, 0, b, 0, fixed.length);
        byte[] tail = HexFormat.of().parseHex("63825363" + "350101" + "32040a010064" + "0c03626f78" + "ff");
        System.arraycopy(tail, 0, b, 236, tail.length);
        return b;
    }

    @Test
    void knownBytesToFields() {
        DhcpMessage m = DhcpMessage.parseRequest(discoverBytes()).message();
        assertEquals(1, m.op());
        assertEquals(1, m.htype());
        assertEquals(6, m.hlen());
        assertEquals(0xdeadbeef, m.xid());
        assertEquals(3, m.secs());
        assertTrue(m.broadcastFlag());
        assertEquals(0, m.ciaddr());
        assertEquals(MacAddress.parse("02:00:00:00:00:01"), m.chaddr());
        assertEquals(DhcpMessage.DISCOVER, m.messageType());
        assertEquals(Ipv4Address.parse("10.1.0.100"), m.addressOption(DhcpMessage.OPT_REQUESTED_IP));
        assertEquals("box", m.hostname());
        assertEquals(0, m.addressOption(DhcpMessage.OPT_SERVER_ID));
    }

    @Test
    void fieldsToIdenticalBytes() {
        byte[] built = new DhcpMessage.Builder(DhcpMessage.BOOTREQUEST).xid(0xdeadbeef).secs(3).flags(0x8000)
                .chaddr(MacAddress.parse("02:00:00:00:00:01")).messageType(DhcpMessage.DISCOVER)
                .addressOption(DhcpMessage.OPT_REQUESTED_IP, Ipv4Address.parse("10.1.0.100"))
                .stringOption(DhcpMessage.OPT_HOSTNAME, "box").build();
        assertArrayEquals(discoverBytes(), built);
    }

    @Test
    void replyFieldsAndOptions() {
        byte[] b = new DhcpMessage.Builder(DhcpMessage.BOOTREPLY).xid(7).yiaddr(Ipv4Address.parse("10.1.0.100"))
                .messageType(DhcpMessage.OFFER).u32Option(DhcpMessage.OPT_LEASE_TIME, 3600)
                .addressOption(DhcpMessage.OPT_DNS, Ipv4Address.parse("1.1.1.1"), Ipv4Address.parse("8.8.8.8")).build();
        assertEquals(300, b.length);
        assertEquals("350102" + "330400000e10" + "06080101010108080808" + "ff",
                HexFormat.of().formatHex(Arrays.copyOfRange(b, 240, 240 + 20)));
        DhcpMessage m = DhcpMessage.parse(b).message();
        assertEquals(3600, m.u32Option(DhcpMessage.OPT_LEASE_TIME));
        assertEquals(Ipv4Address.parse("10.1.0.100"), m.yiaddr());
    }

    @Test
    void truncatedIsRejected() {
        byte[] b = discoverBytes();
        for (int len : new int[] {0, 1, 100, 235, 239}) {
            assertEquals(DhcpMessage.Error.TRUNCATED, DhcpMessage.parse(Arrays.copyOf(b, len)).error(), "length " + len);
        }
    }

    @Test
    void optionPastTheEndIsRejected() {
        byte[] b = Arrays.copyOf(discoverBytes(), 240 + 3 + 4); // 53 ok, then 50 claims 4 bytes, 2 are there
        assertEquals(DhcpMessage.Error.BAD_OPTIONS, DhcpMessage.parse(b).error());
        byte[] c = Arrays.copyOf(discoverBytes(), 240 + 4); // a code with no length byte
        assertEquals(DhcpMessage.Error.BAD_OPTIONS, DhcpMessage.parse(c).error());
    }

    @Test
    void hostileHeadersAreRejected() {
        byte[] b = discoverBytes();
        b[236] = 0x64;
        assertEquals(DhcpMessage.Error.BAD_COOKIE, DhcpMessage.parse(b).error());
        b = discoverBytes();
        b[0] = 2;
        assertEquals(DhcpMessage.Error.BAD_OP, DhcpMessage.parseRequest(b).error());
        b[0] = 9;
        assertEquals(DhcpMessage.Error.BAD_OP, DhcpMessage.parse(b).error());
        b = discoverBytes();
        b[1] = 6; // IEEE 802
        assertEquals(DhcpMessage.Error.BAD_HTYPE, DhcpMessage.parse(b).error());
        b = discoverBytes();
        b[2] = 16;
        assertEquals(DhcpMessage.Error.BAD_HTYPE, DhcpMessage.parse(b).error());
        b = discoverBytes();
        b[242] = 42; // message type 42
        assertEquals(DhcpMessage.Error.NO_MESSAGE_TYPE, DhcpMessage.parse(b).error());
        b = Arrays.copyOf(discoverBytes(), 240); // no options at all
        assertEquals(DhcpMessage.Error.NO_MESSAGE_TYPE, DhcpMessage.parse(b).error());
        assertNull(DhcpMessage.parse(b).message());
    }
}
