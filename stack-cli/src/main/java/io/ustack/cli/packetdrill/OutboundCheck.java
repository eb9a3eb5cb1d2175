package io.ustack.cli.packetdrill;

import java.util.List;
import java.util.Locale;

/**
 * Checks a packet the stack sent against an outbound ({@code >}) line as packetdrill's
 * verify_outbound_live_packet does, field by field in its order, the first difference winning: the IP
 * header's checksum, protocol and total length, the ECN bits or TOS and the TTL only where the line gives
 * them (never the IP ID, DF or addresses); TCP's data offset, flags, sequence and acknowledgment numbers
 * (mapped to the script's), the window only where {@code win} is written, the urgent pointer; then the
 * options one for one ({@code <...>} skips them; timestamps are not compared, as packetdrill by default does
 * not). Messages are packetdrill's.
 */
final class OutboundCheck {
    private OutboundCheck() {
    }

    /** What differs, in packetdrill's words, or null when the packet is what the line expects. */
    static String verify(PacketSpec spec, LivePacket live, Connection c) {
        if (!live.headerChecksumOk()) {
            return "bad outbound IP checksum";
        }
        PacketSpec.IpInfo ip = spec.ip();
        if (spec.transport() instanceof PacketSpec.Tcp t) {
            String m = field("ipv4_protocol", LivePacket.PROTO_TCP, live.protocol());
            if (m != null || live.tcp() == null) {
                return m != null ? m : "live packet is not TCP";
            }
            LivePacket.Tcp lt = live.tcp();
            int optionLength = t.options() == null ? lt.headerLength() - 20 : optionLength(t.options());
            m = field("ipv4_total_length", 20 + 20 + optionLength + t.payload(), live.totalLength());
            if (m == null) {
                m = ipFields(ip, live);
            }
            if (m == null) {
                m = tcpFields(t, lt, c);
            }
            if (m == null && t.options() != null) {
                m = options(t.options(), lt.options(), c, t.has('S'));
            }
            return m;
        }
        if (spec.transport() instanceof PacketSpec.Udp u) {
            String m = field("ipv4_protocol", LivePacket.PROTO_UDP, live.protocol());
            if (m == null) {
                m = field("ipv4_total_length", 20 + 8 + u.payload(), live.totalLength());
            }
            return m != null ? m : ipFields(ip, live);
        }
        return "outbound " + spec.transport().getClass().getSimpleName().toLowerCase(Locale.ROOT)
                + " packets are not supported by this runner";
    }

    private static String ipFields(PacketSpec.IpInfo ip, LivePacket live) {
        if (ip.ecn() != null) {
            int ecn = live.tos() & 3;
            if (ip.ecn() == PacketSpec.Ecn.ECT01) {
                if (ecn != 1 && ecn != 2) {
                    return String.format(Locale.ROOT, "live packet field ip_ecn: expected: 0x1 or 0x2 vs actual: 0x%x", ecn);
                }
            } else {
                String m = field("ip_ecn", switch (ip.ecn()) {
                    case NO_ECN -> 0;
                    case ECT1 -> 1;
                    case ECT0 -> 2;
                    default -> 3;
                }, ecn);
                if (m != null) {
                    return m;
                }
            }
        }
        if (ip.tos() != null) {
            String m = field("tos", ip.tos(), live.tos());
            if (m != null) {
                return m;
            }
        }
        if (ip.ttl() != null && ip.ttl() != 255) {
            return field("ttl", ip.ttl(), live.ttl());
        }
        return null;
    }

    private static String tcpFields(PacketSpec.Tcp t, LivePacket.Tcp lt, Connection c) {
        int expectedOffset = t.options() == null ? lt.headerLength() : 20 + optionLength(t.options());
        String m = field("tcp_data_offset", expectedOffset / 4, lt.headerLength() / 4);
        String[] names = {"tcp_fin", "tcp_syn", "tcp_rst", "tcp_psh", "tcp_ack", "tcp_urg", "tcp_ece", "tcp_cwr"};
        int want = LivePacket.flagBits(t.flags());
        for (int i = 0; i < names.length && m == null; i++) {
            m = field(names[i], (want >> i) & 1, (lt.flags() >> i) & 1);
        }
        boolean syn = lt.has(0x02);
        if (m == null) {
            m = field("tcp_seq", t.seqStart(), c.outboundSeq(lt.seq(), syn));
        }
        if (m == null) {
            long expectedAck = t.ack() == null ? 0 : t.ack();
            long actualAck = lt.has(0x10) ? c.outboundAck(lt.ack(), syn) : lt.ack();
            m = field("tcp_ack_seq", expectedAck, actualAck);
        }
        if (m == null && t.window() != null) {
            m = field("tcp_window", t.window(), lt.window());
        }
        if (m == null) {
            m = field("tcp_urg_ptr", t.urgentPointer() == null ? 0 : t.urgentPointer(), lt.urgent());
        }
        return m;
    }

    private static String options(List<TcpOption> want, List<TcpOption> got, Connection c, boolean syn) {
        if (want.size() != got.size()) {
            return "bad outbound TCP options";
        }
        for (int i = 0; i < want.size(); i++) {
            TcpOption w = want.get(i);
            TcpOption g = got.get(i);
            if (w.getClass() != g.getClass()) {
                return "bad outbound TCP options";
            }
            if (w instanceof TcpOption.Timestamp || w instanceof TcpOption.Nop || w instanceof TcpOption.Eol) {
                continue; // kinds only: TS val is not checked by default, TS ecr never
            }
            TcpOption mapped = g instanceof TcpOption.Sack s ? mapSack(s, c, syn) : g;
            if (!w.equals(mapped)) {
                return "bad value outbound TCP option " + kind(w);
            }
        }
        return null;
    }

    private static TcpOption.Sack mapSack(TcpOption.Sack s, Connection c, boolean syn) {
        return new TcpOption.Sack(s.blocks().stream()
                .map(b -> new TcpOption.Sack.Block(c.outboundAck(b.left(), syn), c.outboundAck(b.right(), syn))).toList());
    }

    /** The option kind packetdrill names in its messages. */
    private static int kind(TcpOption o) {
        if (o instanceof TcpOption.Eol) {
            return 0;
        } else if (o instanceof TcpOption.Nop) {
            return 1;
        } else if (o instanceof TcpOption.Mss) {
            return 2;
        } else if (o instanceof TcpOption.WindowScale) {
            return 3;
        } else if (o instanceof TcpOption.SackPermitted) {
            return 4;
        } else if (o instanceof TcpOption.Sack) {
            return 5;
        } else if (o instanceof TcpOption.Timestamp) {
            return 8;
        } else if (o instanceof TcpOption.Md5) {
            return 19;
        }
        return ((TcpOption.FastOpen) o).experimental() ? 254 : 34;
    }

    /** The bytes the options take in a header, as written (a list that does not fill a word is padded). */
    static int optionLength(List<TcpOption> options) {
        int n = 0;
        for (TcpOption o : options) {
            if (o instanceof TcpOption.Eol || o instanceof TcpOption.Nop) {
                n += 1;
            } else if (o instanceof TcpOption.Mss) {
                n += 4;
            } else if (o instanceof TcpOption.WindowScale) {
                n += 3;
            } else if (o instanceof TcpOption.SackPermitted) {
                n += 2;
            } else if (o instanceof TcpOption.Sack s) {
                n += 2 + 8 * s.blocks().size();
            } else if (o instanceof TcpOption.Timestamp) {
                n += 10;
            } else if (o instanceof TcpOption.Md5) {
                n += 18;
            } else if (o instanceof TcpOption.FastOpen f) {
                n += (f.experimental() ? 4 : 2) + f.cookie().length() / 2;
            }
        }
        return (n + 3) & ~3;
    }

    /** check_field's message, or null when the values agree. */
    private static String field(String name, long expected, long actual) {
        if (expected == actual) {
            return null;
        }
        return String.format(Locale.ROOT, "live packet field %s: expected: %d (0x%x) vs actual: %d (0x%x)", name, expected,
                expected, actual, actual);
    }

    // ---- packets as packetdrill prints them ----

    /** A script line's packet: {@code P. 1:10001(10000) ack 1 <nop,wscale 7>}. */
    static String dump(PacketSpec spec) {
        if (spec.transport() instanceof PacketSpec.Tcp t) {
            StringBuilder b = new StringBuilder(t.flags().isEmpty() ? "-" : t.flags()).append(' ')
                    .append(t.seqStart()).append(':').append(t.seqEnd()).append('(').append(t.payload()).append(") ");
            if (t.has('.')) {
                b.append("ack ").append(t.ack() == null ? 0 : t.ack()).append(' ');
            }
            if (t.window() != null) {
                b.append("win ").append(t.window()).append(' ');
            }
            if (t.options() == null) {
                b.append("<...>");
            } else if (!t.options().isEmpty()) {
                b.append(optionText(t.options()));
            }
            return b.toString();
        }
        if (spec.transport() instanceof PacketSpec.Udp u) {
            return "udp (" + u.payload() + ")";
        }
        return spec.transport().toString();
    }

    /** A packet the stack sent, its numbers mapped to the script's. */
    static String dump(LivePacket p, Connection c) {
        if (p.tcp() != null) {
            LivePacket.Tcp t = p.tcp();
            boolean syn = t.has(0x02);
            long seq = c.outboundSeq(t.seq(), syn);
            StringBuilder b = new StringBuilder(t.flags() == 0 ? "-" : LivePacket.flagString(t.flags())).append(' ')
                    .append(seq).append(':').append(Connection.u32(seq + t.payload())).append('(').append(t.payload())
                    .append(") ");
            if (t.has(0x10)) {
                b.append("ack ").append(c.outboundAck(t.ack(), syn)).append(' ');
            }
            b.append("win ").append(t.window()).append(' ');
            if (!t.options().isEmpty()) {
                b.append(optionText(t.options().stream()
                        .map(o -> o instanceof TcpOption.Sack s ? mapSack(s, c, syn) : o).toList()));
            }
            return b.toString();
        }
        if (p.udp() != null) {
            return "udp (" + p.udp().payload() + ")";
        }
        if (p.icmp() != null) {
            return "icmp type " + p.icmp().type() + " code " + p.icmp().code();
        }
        return "protocol " + p.protocol();
    }

    static String optionText(List<TcpOption> options) {
        StringBuilder b = new StringBuilder("<");
        for (TcpOption o : options) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(optionText(o));
        }
        return b.append('>').toString();
    }

    /** One option as tcp_options_to_string writes it. */
    private static String optionText(TcpOption o) {
        if (o instanceof TcpOption.Eol) {
            return "eol";
        } else if (o instanceof TcpOption.Nop) {
            return "nop";
        } else if (o instanceof TcpOption.Mss m) {
            return "mss " + m.mss();
        } else if (o instanceof TcpOption.WindowScale w) {
            return "wscale " + w.shift();
        } else if (o instanceof TcpOption.SackPermitted) {
            return "sackOK";
        } else if (o instanceof TcpOption.Sack s) {
            return "sack " + String.join(" ", s.blocks().stream().map(k -> k.left() + ":" + k.right()).toList());
        } else if (o instanceof TcpOption.Timestamp t) {
            return "TS val " + t.val() + " ecr " + t.ecr();
        } else if (o instanceof TcpOption.Md5 m) {
            return "md5 " + m.hex();
        }
        TcpOption.FastOpen f = (TcpOption.FastOpen) o;
        return (f.experimental() ? "FOEXP " : "FO ") + f.cookie();
    }
}
