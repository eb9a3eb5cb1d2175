package io.ustack.cli.packetdrill;

import io.ustack.cli.packetdrill.PacketSpec.Direction;
import io.ustack.cli.packetdrill.PacketSpec.Ecn;
import io.ustack.cli.packetdrill.PacketSpec.IpInfo;
import io.ustack.cli.packetdrill.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a packet line after its time, parser.y's {@code packet_spec}: direction, outer IPv4/IPv6 headers,
 * IP info ({@code [ect0]}, {@code (tos 0x10)}, {@code [ttl 64]}), then TCP (ports, flags, {@code START:END(LEN)},
 * {@code ack}, {@code win}, {@code urg}, options), UDP or ICMP, with packetdrill's range and consistency
 * checks as semantic errors. GRE and MPLS encapsulation and the fuzzing extension ({@code {mut ...}}) are
 * not supported and are reported as syntax errors at their first token.
 */
final class PacketParser {
    private static final String TCP_FLAGS = ".FSRPEWAUC01234567";
    private static final int MAX_COOKIE_BYTES = 16;
    private static final int MAX_MD5_BYTES = 16;

    private final TokenStream in;

    PacketParser(TokenStream in) {
        this.in = in;
    }

    /** {@code packet_spec: tcp_packet_spec | udp_packet_spec | icmp_packet_spec}, with {@code packet_prefix}. */
    PacketSpec packet() throws ScriptError {
        Direction direction = in.next().is('<') ? Direction.INBOUND : Direction.OUTBOUND;
        List<PacketSpec.OuterIp> outer = new ArrayList<>();
        while (in.peek().isWord("ipv4") || in.peek().isWord("ipv6")) {
            outer.add(outerIp());
        }
        if (in.peek().isWord("gre") || in.peek().isWord("GREv0") || in.peek().isWord("mpls")) {
            throw in.error("GRE and MPLS encapsulation are not supported");
        }
        IpInfo ip = optIpInfo();
        if (ip.ecn() == Ecn.ECT01 && direction != Direction.OUTBOUND) {
            throw in.semantic("[ect01] can only be used with outbound packets");
        }
        PacketSpec.Transport transport;
        if (in.peek().isWord("udp")) {
            in.next();
            if (ip.ecn() != null && ip.ecn() != Ecn.ECT01) {
                throw in.semantic("ECN can only be used with TCP packets");
            }
            PacketSpec.Ports ports = optPorts();
            in.expect('(', "'(' before the UDP payload length");
            int len = (int) in.checked(in.integer("the UDP payload length"), 0xffff, "UDP payload size out of range");
            in.expect(')', "')'");
            transport = new PacketSpec.Udp(ports, len);
        } else if (in.peek().isWord("icmp")) {
            in.next();
            transport = icmp();
        } else {
            transport = tcp(direction);
        }
        return new PacketSpec(direction, outer, ip, transport);
    }

    /** {@code packet_prefix IPV4 opt_ip_info IPV4_ADDR '>' IPV4_ADDR ':'} and its IPv6 twin. */
    private PacketSpec.OuterIp outerIp() throws ScriptError {
        int version = in.next().text().equals("ipv4") ? 4 : 6;
        IpInfo info = optIpInfo();
        Kind addr = version == 4 ? Kind.IPV4_ADDR : Kind.IPV6_ADDR;
        String src = in.expectKind(addr, "an IPv" + version + " address").text();
        in.expect('>', "'>'");
        String dst = in.expectKind(addr, "an IPv" + version + " address").text();
        in.expect(':', "':'");
        return new PacketSpec.OuterIp(version, info, src, dst);
    }

    /** {@code opt_ip_info: | '(' ip_info ')' | '[' ip_info ']'}. */
    private IpInfo optIpInfo() throws ScriptError {
        char close;
        if (in.peek().is('(')) {
            close = ')';
        } else if (in.peek().is('[')) {
            close = ']';
        } else {
            return IpInfo.NONE;
        }
        in.next();
        Ecn ecn = null;
        Integer tos = null;
        Integer flowLabel = null;
        Integer ttl = null;
        if (in.peek().isWord("ttl")) {
            in.next();
            ttl = (int) in.checked(in.integer("a TTL"), 0xff, "ttl out of range");
        } else if (in.peek().isWord("flowlabel")) {
            flowLabel = flowLabel();
        } else {
            Token t = in.next();
            switch (t.kind() == Kind.WORD ? t.text() : "") {
                case "noecn" -> ecn = Ecn.NO_ECN;
                case "ect0" -> ecn = Ecn.ECT0;
                case "ect1" -> ecn = Ecn.ECT1;
                case "ce" -> ecn = Ecn.CE;
                case "ect01" -> ecn = Ecn.ECT01;
                case "tos" -> {
                    Token v = in.expectKind(Kind.HEX_INTEGER, "a hex TOS value such as 0x10");
                    tos = (int) in.checked(in.parseInt(v), 0xff, "tos out of range for 8 bits");
                }
                default -> throw ScriptError.parse(in.file(), t,
                        "syntax error, expected noecn, ect0, ect1, ce, ect01, tos 0xNN, flowlabel 0xNNNNN or ttl N");
            }
            if (in.peek().is(',')) {
                in.next();
                flowLabel = flowLabel();
            }
        }
        in.expect(close, "'" + close + "'");
        return new IpInfo(ecn, tos, flowLabel, ttl);
    }

    private int flowLabel() throws ScriptError {
        in.expectWord("flowlabel");
        Token v = in.expectKind(Kind.HEX_INTEGER, "a hex flow label");
        return (int) in.checked(in.parseInt(v), 0xfffff, "flowlabel out of range for 20 bits");
    }

    /** {@code opt_port_info: | INTEGER '>' INTEGER}. */
    private PacketSpec.Ports optPorts() throws ScriptError {
        if (in.peek().kind() != Kind.INTEGER || !in.peek(1).is('>')) {
            return null;
        }
        int src = (int) in.checked(in.integer("a port"), 0xffff, "src port out of range");
        in.next();
        int dst = (int) in.checked(in.integer("a port"), 0xffff, "dst port out of range");
        return new PacketSpec.Ports(src, dst);
    }

    /** {@code tcp_packet_spec: ... opt_port_info flags seq opt_ack opt_window opt_urg_ptr opt_tcp_options}. */
    private PacketSpec.Tcp tcp(Direction direction) throws ScriptError {
        PacketSpec.Ports ports = optPorts();
        String flags = flags();
        long start = in.checked(in.integer("a sequence number START:END(LENGTH)"), 0xffffffffL,
                "TCP start sequence number out of range");
        in.expect(':', "':' in START:END(LENGTH)");
        long end = in.checked(in.integer("an end sequence number"), 0xffffffffL, "TCP end sequence number out of range");
        in.expect('(', "'(' in START:END(LENGTH)");
        long len = in.checked(in.integer("a payload length"), 0xffff, "TCP payload size out of range");
        in.expect(')', "')' in START:END(LENGTH)");
        if (end != start + len) {
            throw in.semantic("inconsistent TCP sequence numbers and payload size");
        }
        Long ack = null;
        if (in.peek().isWord("ack")) {
            in.next();
            ack = in.checked(in.integer("an ack number"), 0xffffffffL, "TCP ack sequence number out of range");
        }
        Integer window = null;
        if (in.peek().isWord("win")) {
            in.next();
            window = (int) in.checked(in.integer("a window"), 0xffff, "TCP window value out of range");
        }
        Integer urg = null;
        if (in.peek().isWord("urg")) {
            in.next();
            urg = (int) in.checked(in.integer("an urgent pointer"), 0xffff, "urg_ptr value out of range");
        }
        List<TcpOption> options = List.of();
        if (in.peek().is('<')) {
            options = tcpOptions(direction);
        }
        if (in.peek().is('{')) {
            throw in.error("packet fuzzing ({mut/trun/ins ...}) is not supported");
        }
        return new PacketSpec.Tcp(ports, flags, start, (int) len, ack, window, urg, options);
    }

    /** {@code flags: WORD opt_ack_flag | opt_word ack_and_ace | '.' | '-'}: {@code S}, {@code S.}, {@code .}, {@code -}. */
    private String flags() throws ScriptError {
        Token t = in.peek();
        String flags;
        if (t.is('.')) {
            in.next();
            flags = ".";
        } else if (t.is('-')) {
            in.next();
            flags = "";
        } else if (t.kind() == Kind.FLOAT && t.text().startsWith(".")) {
            in.next();
            flags = t.text();
        } else if (t.kind() == Kind.WORD) {
            in.next();
            flags = t.text();
            if (in.peek().is('.')) {
                in.next();
                flags += ".";
            } else if (in.peek().kind() == Kind.FLOAT && in.peek().text().startsWith(".")) {
                flags += in.next().text();
            }
        } else {
            throw in.error("syntax error, expected TCP flags (such as S, S., ., P., F., R or -), udp or icmp");
        }
        for (char c : flags.toCharArray()) {
            if (TCP_FLAGS.indexOf(c) < 0) {
                throw in.semantic("Invalid TCP flag: '" + c + "'");
            }
        }
        return flags;
    }

    /** {@code opt_tcp_options: '<' tcp_option_list '>' | '<' ELLIPSIS '>'}; null for the wildcard. */
    private List<TcpOption> tcpOptions(Direction direction) throws ScriptError {
        in.next();
        if (in.peek().kind() == Kind.ELLIPSIS) {
            in.next();
            in.expect('>', "'>' after <...");
            if (direction != Direction.OUTBOUND) {
                throw in.semantic("<...> for TCP options can only be used with outbound packets");
            }
            return null;
        }
        List<TcpOption> options = new ArrayList<>();
        options.add(tcpOption());
        while (in.peek().is(',')) {
            in.next();
            options.add(tcpOption());
        }
        in.expect('>', "',' or '>' in the TCP options");
        return options;
    }

    /** {@code tcp_option}: nop, eol, mss, wscale, sackOK, sack, md5, TS val ecr, FO, FOEXP. */
    private TcpOption tcpOption() throws ScriptError {
        Token t = in.peek();
        if (t.kind() != Kind.WORD) {
            throw in.error("syntax error, expected a TCP option");
        }
        in.next();
        switch (t.text()) {
            case "nop":
                return new TcpOption.Nop();
            case "eol":
                return new TcpOption.Eol();
            case "sackOK":
                return new TcpOption.SackPermitted();
            case "mss":
                return new TcpOption.Mss((int) in.checked(in.integer("an MSS"), 0xffff, "mss value out of range"));
            case "wscale":
                return new TcpOption.WindowScale((int) in.checked(in.integer("a shift count"), 0xff,
                        "window scale shift count out of range"));
            case "sack": {
                List<TcpOption.Sack.Block> blocks = new ArrayList<>();
                do {
                    long left = in.checked(in.integer("a SACK block LEFT:RIGHT"), 0xffffffffL,
                            "TCP SACK left sequence number out of range");
                    in.expect(':', "':' in a SACK block LEFT:RIGHT");
                    long right = in.checked(in.integer("a SACK block's right edge"), 0xffffffffL,
                            "TCP SACK right sequence number out of range");
                    blocks.add(new TcpOption.Sack.Block(left, right));
                } while (in.peek().kind() == Kind.INTEGER);
                return new TcpOption.Sack(blocks);
            }
            case "TS": {
                in.expectWord("val");
                long val = in.checked(in.integer("a TS value"), 0xffffffffL, "ts val out of range");
                in.expectWord("ecr");
                long ecr = in.checked(in.integer("a TS echo reply"), 0xffffffffL, "ecr val out of range");
                return new TcpOption.Timestamp(val, ecr);
            }
            case "md5": {
                String hex = hexBlob();
                if (hex == null) {
                    throw in.error("syntax error, expected an MD5 digest in hex");
                }
                if (hex.length() / 2 > MAX_MD5_BYTES) {
                    throw in.semantic("TCP MD5 digest longer than 16 bytes");
                }
                if (!isHex(hex)) {
                    throw in.semantic("TCP MD5 digest is not a valid hex string");
                }
                return new TcpOption.Md5(hex);
            }
            case "FO":
            case "FOEXP": {
                String cookie = hexBlob();
                cookie = cookie == null ? "" : cookie;
                if ((cookie.length() & 1) != 0) {
                    throw in.semantic("TCP fast open cookie has an odd number of digits");
                }
                if (cookie.length() / 2 > MAX_COOKIE_BYTES) {
                    throw in.semantic("TCP fast open cookie of " + cookie.length() / 2
                            + " bytes exceeds maximum cookie length of " + MAX_COOKIE_BYTES + " bytes");
                }
                if (!isHex(cookie)) {
                    throw in.semantic("TCP fast open cookie '" + cookie + "' is not a valid hex string");
                }
                return new TcpOption.FastOpen(cookie, t.text().equals("FOEXP"));
            }
            default:
                throw ScriptError.parse(in.file(), t, "unknown TCP option '" + t.text()
                        + "' (packetdrill has nop, eol, mss, wscale, sackOK, sack, TS val/ecr, md5, FO, FOEXP)");
        }
    }

    /** {@code hex_blob: WORD | INTEGER}, or null when neither follows. */
    private String hexBlob() {
        Kind k = in.peek().kind();
        return k == Kind.WORD || k == Kind.INTEGER ? in.next().text() : null;
    }

    private static boolean isHex(String s) {
        for (char c : s.toCharArray()) {
            if (Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code icmp_packet_spec: ICMP icmp_type opt_icmp_code opt_icmp_mtu opt_icmp_echo_id opt_icmp_echoed}. */
    private PacketSpec.Icmp icmp() throws ScriptError {
        String type = in.expectKind(Kind.WORD, "an ICMP type such as unreachable").text();
        String code = null;
        if (in.peek().kind() == Kind.WORD && !in.peek().isWord("mtu") && !in.peek().isWord("id")) {
            code = in.next().text();
        }
        Integer mtu = null;
        if (in.peek().isWord("mtu")) {
            in.next();
            mtu = (int) in.checked(in.integer("an MTU"), 0xffff, "mtu out of range");
        }
        Long id = null;
        if (in.peek().isWord("id")) {
            in.next();
            id = in.checked(in.integer("an echo id"), 0xffff, "icmp echo id out of range");
        }
        PacketSpec.Echoed echoed = null;
        if (in.peek().is('[')) {
            in.next();
            if (in.peek().isWord("udp") || in.peek().isWord("raw")) {
                String protocol = in.next().text();
                in.expect('(', "'('");
                int len = (int) in.checked(in.integer("a payload length"), 0xffff, "payload size out of range");
                in.expect(')', "')'");
                echoed = new PacketSpec.Echoed(protocol, 0, len);
            } else {
                long start = in.checked(in.integer("the quoted TCP segment START:END(LENGTH)"), 0xffffffffL,
                        "TCP start sequence number out of range");
                in.expect(':', "':'");
                long end = in.checked(in.integer("an end sequence number"), 0xffffffffL,
                        "TCP end sequence number out of range");
                in.expect('(', "'('");
                long len = in.checked(in.integer("a payload length"), 0xffff, "TCP payload size out of range");
                in.expect(')', "')'");
                if (end != start + len) {
                    throw in.semantic("inconsistent TCP sequence numbers and payload size");
                }
                echoed = new PacketSpec.Echoed("tcp", start, (int) len);
            }
            in.expect(']', "']'");
        }
        return new PacketSpec.Icmp(type, code, mtu, id, echoed);
    }
}
