package io.ustack.core.netfilter.rules;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.wire.MacAddress;
import java.util.Locale;

/**
 * The matches on how the packet came off the link: pkttype (pkttype_mt: unicast, broadcast, multicast or
 * another host's) and mac (mac_mt: the Ethernet source address, only where a received packet still has
 * its Ethernet header: PREROUTING, INPUT, FORWARD).
 */
final class LinkMatch implements Match {
    private static final String[] PKT_TYPES = {"unicast", "broadcast", "multicast", "otherhost"};
    private static final int RECEIVED = Chain.PREROUTING.bit() | Chain.INPUT.bit() | Chain.FORWARD.bit();

    /** -1 for the mac match, else the PacketType's ordinal. */
    private final int pktType;
    private final long mac;
    private final boolean invert;

    private LinkMatch(int pktType, long mac, boolean invert) {
        this.pktType = pktType;
        this.mac = mac;
        this.invert = invert;
    }

    @Override
    public String name() {
        return pktType >= 0 ? "pkttype" : "mac";
    }

    @Override
    public boolean matches(XtPacket p) {
        PacketBuffer pkt = p.pkt;
        if (pktType >= 0) {
            int t = pkt.pktType().ordinal();
            // a packet of our own to a multicast group is multicast whatever its buffer says (pkttype_mt):
            // 224.0.0.0/4, or ff00::/8
            boolean group = p.v6 ? p.daddr6Hi >>> 56 == 0xff : (p.daddr & 0xf0000000) == 0xe0000000;
            if (p.in == null && group) {
                t = PacketBuffer.PacketType.MULTICAST.ordinal();
            }
            return (t == pktType) != invert;
        }
        int mh = pkt.macHeader();
        if (mh < 0 || mh + 14 > pkt.tail() || mh + 14 > p.ipOff) {
            return false;
        }
        return (MacAddress.read(pkt, mh + 6) == mac) != invert;
    }

    @Override
    public int hooks() {
        return pktType >= 0 ? ALL_HOOKS : RECEIVED;
    }

    @Override
    public void save(StringBuilder sb) {
        if (pktType >= 0) {
            sb.append(" -m pkttype");
            Xt.saveOption(sb, invert, "--pkt-type " + PKT_TYPES[pktType]);
        } else {
            sb.append(" -m mac");
            Xt.saveOption(sb, invert, "--mac-source " + MacAddress.format(mac).toLowerCase(Locale.ROOT));
        }
    }

    @Override
    public void list(StringBuilder sb, boolean numeric) {
        if (pktType >= 0) {
            sb.append(" PKTTYPE ").append(invert ? "!= " : "= ").append(PKT_TYPES[pktType]);
        } else {
            sb.append(" MAC ").append(invert ? "! " : "").append(MacAddress.format(mac).toLowerCase(Locale.ROOT));
        }
    }

    static final class Parser implements MatchParser {
        private final boolean mac;
        private int pktType = -1;
        private long address = -1;
        private boolean invert;

        Parser(boolean mac) {
            this.mac = mac;
        }

        @Override
        public boolean option(String option, boolean invert, Words w) {
            if (mac && option.equals("--mac-source")) {
                String v = w.value(option);
                try {
                    address = MacAddress.parse(v);
                } catch (IllegalArgumentException e) {
                    throw IptablesException.usage("Bad mac address \"" + v + "\"");
                }
            } else if (!mac && option.equals("--pkt-type")) {
                String v = w.value(option);
                pktType = switch (v.toLowerCase(Locale.ROOT)) {
                    case "unicast", "host" -> 0;
                    case "broadcast" -> 1;
                    case "multicast" -> 2;
                    case "otherhost" -> 3;
                    default -> throw IptablesException.usage("Bad packet type '" + v + "'");
                };
            } else {
                return false;
            }
            this.invert = invert;
            return true;
        }

        @Override
        public Match build(RuleParser.Builder rule) {
            if (mac ? address < 0 : pktType < 0) {
                throw IptablesException.usage(mac ? "mac: option \"--mac-source\" must be specified"
                        : "pkttype: option \"--pkt-type\" must be specified");
            }
            return new LinkMatch(mac ? -1 : pktType, address, invert);
        }
    }
}
