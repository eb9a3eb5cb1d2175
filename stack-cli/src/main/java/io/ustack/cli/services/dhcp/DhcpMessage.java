package io.ustack.cli.services.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checked view of a BOOTP/DHCP message (RFC 2131 section 2, options RFC 2132) over a byte array.
 * {@link #parse} checks everything once (length, op, htype/hlen, the magic cookie, every option's length
 * against the end); after it no accessor throws. {@link Builder} writes a reply.
 */
public final class DhcpMessage {
    public static final int OP = 0, HTYPE = 1, HLEN = 2, HOPS = 3, XID = 4, SECS = 8, FLAGS = 10, CIADDR = 12,
            YIADDR = 16, SIADDR = 20, GIADDR = 24, CHADDR = 28, SNAME = 44, FILE = 108, COOKIE = 236, OPTIONS = 240;
    public static final int MAGIC_COOKIE = 0x63825363;
    public static final int BOOTREQUEST = 1, BOOTREPLY = 2;
    public static final int HTYPE_ETHER = 1, HLEN_ETHER = 6;
    public static final int FLAG_BROADCAST = 0x8000;
    /** BOOTP's minimum message (RFC 1542 2.1): replies are padded to it, as ISC dhcpd pads them. */
    public static final int MIN_LEN = 300;

    // message types (option 53)
    public static final int DISCOVER = 1, OFFER = 2, REQUEST = 3, DECLINE = 4, ACK = 5, NAK = 6, RELEASE = 7, INFORM = 8;
    // options
    public static final int OPT_PAD = 0, OPT_SUBNET_MASK = 1, OPT_ROUTER = 3, OPT_DNS = 6, OPT_HOSTNAME = 12,
            OPT_REQUESTED_IP = 50, OPT_LEASE_TIME = 51, OPT_OVERLOAD = 52, OPT_MESSAGE_TYPE = 53, OPT_SERVER_ID = 54,
            OPT_MESSAGE = 56, OPT_RENEWAL_T1 = 58, OPT_REBINDING_T2 = 59, OPT_CLIENT_ID = 61, OPT_END = 255;

    /** Why a message was refused: each is a counted drop (DhcpInErrors) with this reason. */
    public enum Error { TRUNCATED, BAD_OP, BAD_HTYPE, BAD_COOKIE, BAD_OPTIONS, NO_MESSAGE_TYPE }

    /** The outcome of {@link #parse}: a message, or why there is none. */
    public record Parsed(DhcpMessage message, Error error) {
    }

    private final byte[] b;
    private final Map<Integer, byte[]> options;

    private DhcpMessage(byte[] b, Map<Integer, byte[]> options) {
        this.b = b;
        this.options = options;
    }

    /** Parses a BOOTREQUEST from a client; the array is copied. */
    public static Parsed parseRequest(byte[] data) {
        Parsed p = parse(data);
        if (p.message() != null && p.message().op() != BOOTREQUEST) {
            return new Parsed(null, Error.BAD_OP);
        }
        return p;
    }

    /** Parses any message (request or reply) with Ethernet addresses and a message type; the array is copied. */
    public static Parsed parse(byte[] data) {
        if (data.length < OPTIONS) {
            return new Parsed(null, Error.TRUNCATED);
        }
        byte[] b = data.clone();
        int op = b[OP] & 0xff;
        if (op != BOOTREQUEST && op != BOOTREPLY) {
            return new Parsed(null, Error.BAD_OP);
        }
        if ((b[HTYPE] & 0xff) != HTYPE_ETHER || (b[HLEN] & 0xff) != HLEN_ETHER) {
            return new Parsed(null, Error.BAD_HTYPE);
        }
        if (u32(b, COOKIE) != MAGIC_COOKIE) {
            return new Parsed(null, Error.BAD_COOKIE);
        }
        Map<Integer, byte[]> opts = new LinkedHashMap<>();
        int i = OPTIONS;
        while (i < b.length) {
            int code = b[i] & 0xff;
            if (code == OPT_PAD) {
                i++;
                continue;
            }
            if (code == OPT_END) {
                break;
            }
            if (i + 1 >= b.length) {
                return new Parsed(null, Error.BAD_OPTIONS); // a code without its length
            }
            int len = b[i + 1] & 0xff;
            if (i + 2 + len > b.length) {
                return new Parsed(null, Error.BAD_OPTIONS); // an option past the end
            }
            byte[] v = new byte[len];
            System.arraycopy(b, i + 2, v, 0, len);
            // RFC 3396: a repeated option is one long option, its parts concatenated
            opts.merge(code, v, (a, c) -> {
                byte[] m = new byte[a.length + c.length];
                System.arraycopy(a, 0, m, 0, a.length);
                System.arraycopy(c, 0, m, a.length, c.length);
                return m;
            });
            i += 2 + len;
        }
        byte[] type = opts.get(OPT_MESSAGE_TYPE);
        if (type == null || type.length != 1 || (type[0] & 0xff) < DISCOVER || (type[0] & 0xff) > INFORM) {
            return new Parsed(null, Error.NO_MESSAGE_TYPE);
        }
        return new Parsed(new DhcpMessage(b, opts), null);
    }

    public int op() { return b[OP] & 0xff; }
    public int htype() { return b[HTYPE] & 0xff; }
    public int hlen() { return b[HLEN] & 0xff; }
    public int hops() { return b[HOPS] & 0xff; }
    public int xid() { return u32(b, XID); }
    public int secs() { return u16(b, SECS); }
    public int flags() { return u16(b, FLAGS); }
    public boolean broadcastFlag() { return (flags() & FLAG_BROADCAST) != 0; }
    public int ciaddr() { return u32(b, CIADDR); }
    public int yiaddr() { return u32(b, YIADDR); }
    public int siaddr() { return u32(b, SIADDR); }
    public int giaddr() { return u32(b, GIADDR); }

    /** The client's Ethernet address (the first six bytes of chaddr). */
    public long chaddr() {
        long m = 0;
        for (int k = 0; k < 6; k++) {
            m = (m << 8) | (b[CHADDR + k] & 0xff);
        }
        return m;
    }

    public int messageType() { return options.get(OPT_MESSAGE_TYPE)[0] & 0xff; }

    /** The option's value (repeats concatenated), or null. */
    public byte[] option(int code) {
        byte[] v = options.get(code);
        return v == null ? null : v.clone();
    }

    /** An option holding one address (50, 54), or 0 when absent or not four bytes long. */
    public int addressOption(int code) {
        byte[] v = options.get(code);
        return v == null || v.length != 4 ? 0 : u32(v, 0);
    }

    /** An option holding a 32-bit number (51, 58, 59), or -1 when absent or not four bytes long. */
    public long u32Option(int code) {
        byte[] v = options.get(code);
        return v == null || v.length != 4 ? -1 : u32(v, 0) & 0xffff_ffffL;
    }

    /** The host name (option 12) as printable ASCII (anything else as '?'), or null. */
    public String hostname() {
        byte[] v = options.get(OPT_HOSTNAME);
        if (v == null || v.length == 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (byte c : v) {
            sb.append(c > 0x20 && c < 0x7f ? (char) c : '?');
        }
        return sb.toString();
    }

    static int u32(byte[] a, int off) {
        return ((a[off] & 0xff) << 24) | ((a[off + 1] & 0xff) << 16) | ((a[off + 2] & 0xff) << 8) | (a[off + 3] & 0xff);
    }

    static int u16(byte[] a, int off) {
        return ((a[off] & 0xff) << 8) | (a[off + 1] & 0xff);
    }

    /** Writes a message: the fixed fields, then the options in the order given, then END, padded to 300 bytes. */
    public static final class Builder {
        private final byte[] fixed = new byte[OPTIONS];
        private final ByteArrayOutputStream opts = new ByteArrayOutputStream();

        public Builder(int op) {
            fixed[OP] = (byte) op;
            fixed[HTYPE] = HTYPE_ETHER;
            fixed[HLEN] = HLEN_ETHER;
            put32(fixed, COOKIE, MAGIC_COOKIE);
        }

        public Builder xid(int v) { put32(fixed, XID, v); return this; }
        public Builder secs(int v) { put16(fixed, SECS, v); return this; }
        public Builder flags(int v) { put16(fixed, FLAGS, v); return this; }
        public Builder hops(int v) { fixed[HOPS] = (byte) v; return this; }
        public Builder ciaddr(int v) { put32(fixed, CIADDR, v); return this; }
        public Builder yiaddr(int v) { put32(fixed, YIADDR, v); return this; }
        public Builder siaddr(int v) { put32(fixed, SIADDR, v); return this; }
        public Builder giaddr(int v) { put32(fixed, GIADDR, v); return this; }

        public Builder chaddr(long mac) {
            for (int k = 0; k < 6; k++) {
                fixed[CHADDR + k] = (byte) (mac >>> (40 - 8 * k));
            }
            return this;
        }

        public Builder option(int code, byte... value) {
            opts.write(code);
            opts.write(value.length);
            opts.writeBytes(value);
            return this;
        }

        public Builder messageType(int type) { return option(OPT_MESSAGE_TYPE, (byte) type); }

        public Builder addressOption(int code, int... addrs) {
            byte[] v = new byte[4 * addrs.length];
            for (int k = 0; k < addrs.length; k++) {
                put32(v, 4 * k, addrs[k]);
            }
            return option(code, v);
        }

        public Builder u32Option(int code, long value) {
            byte[] v = new byte[4];
            put32(v, 0, (int) value);
            return option(code, v);
        }

        public Builder stringOption(int code, String s) {
            return option(code, s.getBytes(StandardCharsets.US_ASCII));
        }

        public byte[] build() {
            byte[] o = opts.toByteArray();
            byte[] out = new byte[Math.max(MIN_LEN, OPTIONS + o.length + 1)];
            System.arraycopy(fixed, 0, out, 0, OPTIONS);
            System.arraycopy(o, 0, out, OPTIONS, o.length);
            out[OPTIONS + o.length] = (byte) OPT_END;
            return out;
        }

        private static void put32(byte[] a, int off, int v) {
            a[off] = (byte) (v >>> 24);
            a[off + 1] = (byte) (v >>> 16);
            a[off + 2] = (byte) (v >>> 8);
            a[off + 3] = (byte) v;
        }

        private static void put16(byte[] a, int off, int v) {
            a[off] = (byte) (v >>> 8);
            a[off + 1] = (byte) v;
        }
    }
}
