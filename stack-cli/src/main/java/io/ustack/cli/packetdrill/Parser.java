package io.ustack.cli.packetdrill;

import io.ustack.cli.packetdrill.PacketSpec.Direction;
import io.ustack.cli.packetdrill.PacketSpec.Ecn;
import io.ustack.cli.packetdrill.PacketSpec.IpInfo;
import io.ustack.cli.packetdrill.Token.Kind;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A recursive-descent parser for packetdrill's script language, following parser.y's rules (named in each
 * method's Javadoc) and its checks: a syntax error is reported as bison's {@code parse error at 'TOKEN'},
 * a bad value ({@code mss 70000}, {@code 1:11(5)}, {@code *} on an inbound packet) as packetdrill's
 * {@code semantic error}, both with the file and line. GRE and MPLS encapsulation and the fuzzing
 * extension ({@code {mut ...}}) are not supported and are reported as syntax errors at their first token.
 */
final class Parser {
    private static final String TCP_FLAGS = ".FSRPEWAUC01234567";
    private static final int MAX_COOKIE_BYTES = 16;
    private static final int MAX_MD5_BYTES = 16;

    private final String file;
    private final List<Token> tokens;
    private int at;
    /** The line of the event being parsed, for semantic errors (packetdrill's current_script_line). */
    private int eventLine;

    private Parser(String file, List<Token> tokens) {
        this.file = file;
        this.tokens = tokens;
    }

    /** Parses a script's text; {@code file} names it in messages. */
    static Script parse(String file, String text) throws ScriptError {
        return new Parser(file, Lexer.tokenize(file, text)).script();
    }

    /** Reads and parses a .pkt file. */
    static Script parseFile(Path path) throws IOException, ScriptError {
        return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
    }

    /** {@code script: opt_options opt_init_command events opt_cleanup_command}. */
    private Script script() throws ScriptError {
        List<Script.Option> options = new ArrayList<>();
        while (peek().kind() == Kind.OPTION) {
            options.add(option());
        }
        Action.Command init = null;
        if (peek().kind() == Kind.BACK_QUOTED) {
            Token t = next();
            init = new Action.Command(t.text(), t.line());
        }
        List<Event> events = new ArrayList<>();
        Action.Command cleanup = null;
        do {
            if (peek().kind() == Kind.BACK_QUOTED && peek(1).kind() == Kind.EOF && !events.isEmpty()) {
                Token t = next();
                cleanup = new Action.Command(t.text(), t.line());
            } else {
                events.add(event());
            }
        } while (peek().kind() != Kind.EOF);
        return new Script(file, options, init, events, cleanup);
    }

    /** {@code option: OPTION ['=' option_value]}, such as {@code --tolerance_usecs=10000} or {@code --define=CC="reno"}. */
    private Script.Option option() throws ScriptError {
        Token name = next();
        if (!peek().is('=')) {
            return new Script.Option(name.line(), name.text(), null);
        }
        next();
        Token value = next();
        switch (value.kind()) {
            case INTEGER, HEX_INTEGER, FLOAT, STRING, IPV4_ADDR, IPV6_ADDR -> {
                return new Script.Option(name.line(), name.text(), value.text());
            }
            case WORD -> {
                if (!peek().is('=')) {
                    return new Script.Option(name.line(), name.text(), value.text());
                }
                next();
                Token rhs = next();
                String text = switch (rhs.kind()) {
                    case WORD -> rhs.text();
                    case STRING -> '"' + rhs.text() + '"';
                    case BACK_QUOTED -> '`' + rhs.text() + '`';
                    default -> throw ScriptError.parse(file, rhs, "syntax error, expected a word, string or command");
                };
                return new Script.Option(name.line(), name.text(), value.text() + "=" + text);
            }
            default -> throw ScriptError.parse(file, value, "syntax error, expected an option value");
        }
    }

    /** {@code event: event_time action}, with packetdrill's checks that {@code *} and ranges go with outbound packets. */
    private Event event() throws ScriptError {
        Token first = peek();
        eventLine = first.line();
        EventTime time = eventTime();
        Action action = action();
        if (time.isRange() && time.endUsecs() < time.usecs()) {
            throw semantic("time range is backwards");
        }
        boolean outbound = action instanceof Action.Packet p && p.spec().direction() == Direction.OUTBOUND;
        if (time.kind() == EventTime.Kind.ANY && !outbound) {
            throw semantic("event time <star> can only be used with outbound packets");
        }
        if (time.isRange() && !outbound) {
            throw semantic("event time range can only be used with outbound packets");
        }
        return new Event(first.line(), time, action);
    }

    /** {@code event_time: '+' time | time | '*' | time '~' time | '+' time '~' '+' time}. */
    private EventTime eventTime() throws ScriptError {
        if (peek().is('*')) {
            next();
            return EventTime.any();
        }
        if (peek().is('+')) {
            next();
            long start = time();
            if (!peek().is('~')) {
                return EventTime.relative(start);
            }
            next();
            expect('+', "'+' (a relative range is written +START~+END)");
            return new EventTime(EventTime.Kind.RELATIVE_RANGE, start, time());
        }
        if (peek().kind() != Kind.INTEGER && peek().kind() != Kind.FLOAT) {
            throw error("syntax error, expected an event time (such as 0, +.1 or *)");
        }
        long start = time();
        if (!peek().is('~')) {
            return EventTime.absolute(start);
        }
        next();
        return new EventTime(EventTime.Kind.ABSOLUTE_RANGE, start, time());
    }

    /** {@code time: FLOAT | INTEGER}, seconds, to microseconds (exactly: {@code .001} is 1000). */
    private long time() throws ScriptError {
        Token t = peek();
        if (t.kind() != Kind.INTEGER && t.kind() != Kind.FLOAT) {
            throw error("syntax error, expected a time in seconds");
        }
        next();
        BigDecimal seconds = new BigDecimal(t.text().startsWith("-.") ? "-0" + t.text().substring(1)
                : t.text().startsWith(".") ? "0" + t.text() : t.text());
        if (seconds.signum() < 0) {
            throw semantic("negative time");
        }
        try {
            return seconds.movePointRight(6).longValue();
        } catch (ArithmeticException e) {
            throw semantic("time out of range");
        }
    }

    /** {@code action: packet_spec | syscall_spec | command_spec | code_spec}. */
    private Action action() throws ScriptError {
        Token t = peek();
        if (t.is('<') || t.is('>')) {
            return new Action.Packet(packet());
        }
        if (t.kind() == Kind.BACK_QUOTED) {
            next();
            return new Action.Command(t.text(), t.line());
        }
        if (t.kind() == Kind.CODE) {
            next();
            return new Action.Code(t.text(), t.line());
        }
        if (t.kind() == Kind.ELLIPSIS || (t.kind() == Kind.WORD && peek(1).is('('))) {
            return syscall();
        }
        throw error("syntax error, expected a packet (< or >), a system call, a `command` or %{ code }%");
    }

    // ---- packets -------------------------------------------------------------------------------------

    /** {@code packet_spec: tcp_packet_spec | udp_packet_spec | icmp_packet_spec}, with {@code packet_prefix}. */
    private PacketSpec packet() throws ScriptError {
        Direction direction = next().is('<') ? Direction.INBOUND : Direction.OUTBOUND;
        List<PacketSpec.OuterIp> outer = new ArrayList<>();
        while (peek().isWord("ipv4") || peek().isWord("ipv6")) {
            outer.add(outerIp());
        }
        if (peek().isWord("gre") || peek().isWord("GREv0") || peek().isWord("mpls")) {
            throw error("GRE and MPLS encapsulation are not supported");
        }
        IpInfo ip = optIpInfo();
        if (ip.ecn() == Ecn.ECT01 && direction != Direction.OUTBOUND) {
            throw semantic("[ect01] can only be used with outbound packets");
        }
        PacketSpec.Transport transport;
        if (peek().isWord("udp")) {
            next();
            if (ip.ecn() != null && ip.ecn() != Ecn.ECT01) {
                throw semantic("ECN can only be used with TCP packets");
            }
            PacketSpec.Ports ports = optPorts();
            expect('(', "'(' before the UDP payload length");
            int len = (int) checked(integer("the UDP payload length"), 0xffff, "UDP payload size out of range");
            expect(')', "')'");
            transport = new PacketSpec.Udp(ports, len);
        } else if (peek().isWord("icmp")) {
            next();
            transport = icmp();
        } else {
            transport = tcp(direction);
        }
        return new PacketSpec(direction, outer, ip, transport);
    }

    /** {@code packet_prefix IPV4 opt_ip_info IPV4_ADDR '>' IPV4_ADDR ':'} and its IPv6 twin. */
    private PacketSpec.OuterIp outerIp() throws ScriptError {
        int version = next().text().equals("ipv4") ? 4 : 6;
        IpInfo info = optIpInfo();
        Kind addr = version == 4 ? Kind.IPV4_ADDR : Kind.IPV6_ADDR;
        String src = expectKind(addr, "an IPv" + version + " address").text();
        expect('>', "'>'");
        String dst = expectKind(addr, "an IPv" + version + " address").text();
        expect(':', "':'");
        return new PacketSpec.OuterIp(version, info, src, dst);
    }

    /** {@code opt_ip_info: | '(' ip_info ')' | '[' ip_info ']'}. */
    private IpInfo optIpInfo() throws ScriptError {
        char close;
        if (peek().is('(')) {
            close = ')';
        } else if (peek().is('[')) {
            close = ']';
        } else {
            return IpInfo.NONE;
        }
        next();
        Ecn ecn = null;
        Integer tos = null;
        Integer flowLabel = null;
        Integer ttl = null;
        if (peek().isWord("ttl")) {
            next();
            ttl = (int) checked(integer("a TTL"), 0xff, "ttl out of range");
        } else if (peek().isWord("flowlabel")) {
            flowLabel = flowLabel();
        } else {
            Token t = next();
            switch (t.kind() == Kind.WORD ? t.text() : "") {
                case "noecn" -> ecn = Ecn.NO_ECN;
                case "ect0" -> ecn = Ecn.ECT0;
                case "ect1" -> ecn = Ecn.ECT1;
                case "ce" -> ecn = Ecn.CE;
                case "ect01" -> ecn = Ecn.ECT01;
                case "tos" -> {
                    Token v = expectKind(Kind.HEX_INTEGER, "a hex TOS value such as 0x10");
                    tos = (int) checked(parseInt(v), 0xff, "tos out of range for 8 bits");
                }
                default -> throw ScriptError.parse(file, t,
                        "syntax error, expected noecn, ect0, ect1, ce, ect01, tos 0xNN, flowlabel 0xNNNNN or ttl N");
            }
            if (peek().is(',')) {
                next();
                flowLabel = flowLabel();
            }
        }
        expect(close, "'" + close + "'");
        return new IpInfo(ecn, tos, flowLabel, ttl);
    }

    private int flowLabel() throws ScriptError {
        expectWord("flowlabel");
        Token v = expectKind(Kind.HEX_INTEGER, "a hex flow label");
        return (int) checked(parseInt(v), 0xfffff, "flowlabel out of range for 20 bits");
    }

    /** {@code opt_port_info: | INTEGER '>' INTEGER}. */
    private PacketSpec.Ports optPorts() throws ScriptError {
        if (peek().kind() != Kind.INTEGER || !peek(1).is('>')) {
            return null;
        }
        int src = (int) checked(integer("a port"), 0xffff, "src port out of range");
        next();
        int dst = (int) checked(integer("a port"), 0xffff, "dst port out of range");
        return new PacketSpec.Ports(src, dst);
    }

    /** {@code tcp_packet_spec: ... opt_port_info flags seq opt_ack opt_window opt_urg_ptr opt_tcp_options}. */
    private PacketSpec.Tcp tcp(Direction direction) throws ScriptError {
        PacketSpec.Ports ports = optPorts();
        String flags = flags();
        long start = checked(integer("a sequence number START:END(LENGTH)"), 0xffffffffL,
                "TCP start sequence number out of range");
        expect(':', "':' in START:END(LENGTH)");
        long end = checked(integer("an end sequence number"), 0xffffffffL, "TCP end sequence number out of range");
        expect('(', "'(' in START:END(LENGTH)");
        long len = checked(integer("a payload length"), 0xffff, "TCP payload size out of range");
        expect(')', "')' in START:END(LENGTH)");
        if (end != start + len) {
            throw semantic("inconsistent TCP sequence numbers and payload size");
        }
        Long ack = null;
        if (peek().isWord("ack")) {
            next();
            ack = checked(integer("an ack number"), 0xffffffffL, "TCP ack sequence number out of range");
        }
        Integer window = null;
        if (peek().isWord("win")) {
            next();
            window = (int) checked(integer("a window"), 0xffff, "TCP window value out of range");
        }
        Integer urg = null;
        if (peek().isWord("urg")) {
            next();
            urg = (int) checked(integer("an urgent pointer"), 0xffff, "urg_ptr value out of range");
        }
        List<TcpOption> options = List.of();
        if (peek().is('<')) {
            options = tcpOptions(direction);
        }
        if (peek().is('{')) {
            throw error("packet fuzzing ({mut/trun/ins ...}) is not supported");
        }
        return new PacketSpec.Tcp(ports, flags, start, (int) len, ack, window, urg, options);
    }

    /** {@code flags: WORD opt_ack_flag | opt_word ack_and_ace | '.' | '-'}: {@code S}, {@code S.}, {@code .}, {@code -}. */
    private String flags() throws ScriptError {
        Token t = peek();
        String flags;
        if (t.is('.')) {
            next();
            flags = ".";
        } else if (t.is('-')) {
            next();
            flags = "";
        } else if (t.kind() == Kind.FLOAT && t.text().startsWith(".")) {
            next();
            flags = t.text();
        } else if (t.kind() == Kind.WORD) {
            next();
            flags = t.text();
            if (peek().is('.')) {
                next();
                flags += ".";
            } else if (peek().kind() == Kind.FLOAT && peek().text().startsWith(".")) {
                flags += next().text();
            }
        } else {
            throw error("syntax error, expected TCP flags (such as S, S., ., P., F., R or -), udp or icmp");
        }
        for (char c : flags.toCharArray()) {
            if (TCP_FLAGS.indexOf(c) < 0) {
                throw semantic("Invalid TCP flag: '" + c + "'");
            }
        }
        return flags;
    }

    /** {@code opt_tcp_options: '<' tcp_option_list '>' | '<' ELLIPSIS '>'}; null for the wildcard. */
    private List<TcpOption> tcpOptions(Direction direction) throws ScriptError {
        next();
        if (peek().kind() == Kind.ELLIPSIS) {
            next();
            expect('>', "'>' after <...");
            if (direction != Direction.OUTBOUND) {
                throw semantic("<...> for TCP options can only be used with outbound packets");
            }
            return null;
        }
        List<TcpOption> options = new ArrayList<>();
        options.add(tcpOption());
        while (peek().is(',')) {
            next();
            options.add(tcpOption());
        }
        expect('>', "',' or '>' in the TCP options");
        return options;
    }

    /** {@code tcp_option}: nop, eol, mss, wscale, sackOK, sack, md5, TS val ecr, FO, FOEXP. */
    private TcpOption tcpOption() throws ScriptError {
        Token t = peek();
        if (t.kind() != Kind.WORD) {
            throw error("syntax error, expected a TCP option");
        }
        next();
        switch (t.text()) {
            case "nop":
                return new TcpOption.Nop();
            case "eol":
                return new TcpOption.Eol();
            case "sackOK":
                return new TcpOption.SackPermitted();
            case "mss":
                return new TcpOption.Mss((int) checked(integer("an MSS"), 0xffff, "mss value out of range"));
            case "wscale":
                return new TcpOption.WindowScale((int) checked(integer("a shift count"), 0xff,
                        "window scale shift count out of range"));
            case "sack": {
                List<TcpOption.Sack.Block> blocks = new ArrayList<>();
                do {
                    long left = checked(integer("a SACK block LEFT:RIGHT"), 0xffffffffL,
                            "TCP SACK left sequence number out of range");
                    expect(':', "':' in a SACK block LEFT:RIGHT");
                    long right = checked(integer("a SACK block's right edge"), 0xffffffffL,
                            "TCP SACK right sequence number out of range");
                    blocks.add(new TcpOption.Sack.Block(left, right));
                } while (peek().kind() == Kind.INTEGER);
                return new TcpOption.Sack(blocks);
            }
            case "TS": {
                expectWord("val");
                long val = checked(integer("a TS value"), 0xffffffffL, "ts val out of range");
                expectWord("ecr");
                long ecr = checked(integer("a TS echo reply"), 0xffffffffL, "ecr val out of range");
                return new TcpOption.Timestamp(val, ecr);
            }
            case "md5": {
                String hex = hexBlob();
                if (hex == null) {
                    throw error("syntax error, expected an MD5 digest in hex");
                }
                if (hex.length() / 2 > MAX_MD5_BYTES) {
                    throw semantic("TCP MD5 digest longer than 16 bytes");
                }
                if (!isHex(hex)) {
                    throw semantic("TCP MD5 digest is not a valid hex string");
                }
                return new TcpOption.Md5(hex);
            }
            case "FO":
            case "FOEXP": {
                String cookie = hexBlob();
                cookie = cookie == null ? "" : cookie;
                if ((cookie.length() & 1) != 0) {
                    throw semantic("TCP fast open cookie has an odd number of digits");
                }
                if (cookie.length() / 2 > MAX_COOKIE_BYTES) {
                    throw semantic("TCP fast open cookie of " + cookie.length() / 2
                            + " bytes exceeds maximum cookie length of " + MAX_COOKIE_BYTES + " bytes");
                }
                if (!isHex(cookie)) {
                    throw semantic("TCP fast open cookie '" + cookie + "' is not a valid hex string");
                }
                return new TcpOption.FastOpen(cookie, t.text().equals("FOEXP"));
            }
            default:
                throw ScriptError.parse(file, t, "unknown TCP option '" + t.text()
                        + "' (packetdrill has nop, eol, mss, wscale, sackOK, sack, TS val/ecr, md5, FO, FOEXP)");
        }
    }

    /** {@code hex_blob: WORD | INTEGER}, or null when neither follows. */
    private String hexBlob() {
        Kind k = peek().kind();
        return k == Kind.WORD || k == Kind.INTEGER ? next().text() : null;
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
        String type = expectKind(Kind.WORD, "an ICMP type such as unreachable").text();
        String code = null;
        if (peek().kind() == Kind.WORD && !peek().isWord("mtu") && !peek().isWord("id")) {
            code = next().text();
        }
        Integer mtu = null;
        if (peek().isWord("mtu")) {
            next();
            mtu = (int) checked(integer("an MTU"), 0xffff, "mtu out of range");
        }
        Long id = null;
        if (peek().isWord("id")) {
            next();
            id = checked(integer("an echo id"), 0xffff, "icmp echo id out of range");
        }
        PacketSpec.Echoed echoed = null;
        if (peek().is('[')) {
            next();
            if (peek().isWord("udp") || peek().isWord("raw")) {
                String protocol = next().text();
                expect('(', "'('");
                int len = (int) checked(integer("a payload length"), 0xffff, "payload size out of range");
                expect(')', "')'");
                echoed = new PacketSpec.Echoed(protocol, 0, len);
            } else {
                long start = checked(integer("the quoted TCP segment START:END(LENGTH)"), 0xffffffffL,
                        "TCP start sequence number out of range");
                expect(':', "':'");
                long end = checked(integer("an end sequence number"), 0xffffffffL,
                        "TCP end sequence number out of range");
                expect('(', "'('");
                long len = checked(integer("a payload length"), 0xffff, "TCP payload size out of range");
                expect(')', "')'");
                if (end != start + len) {
                    throw semantic("inconsistent TCP sequence numbers and payload size");
                }
                echoed = new PacketSpec.Echoed("tcp", start, (int) len);
            }
            expect(']', "']'");
        }
        return new PacketSpec.Icmp(type, code, mtu, id, echoed);
    }

    // ---- system calls --------------------------------------------------------------------------------

    /** {@code syscall_spec: opt_end_time function_name function_arguments '=' expression opt_errno opt_note}. */
    private Action.Syscall syscall() throws ScriptError {
        long end = Action.Syscall.NON_BLOCKING;
        if (peek().kind() == Kind.ELLIPSIS) {
            next();
            end = time();
        }
        String name = expectKind(Kind.WORD, "a system call name").text();
        expect('(', "'(' after the system call's name");
        List<Expr> args = peek().is(')') ? List.of() : expressionList(')');
        expect(')', "',' or ')' in the arguments");
        expect('=', "'=' and the expected result");
        Expr result = expression();
        String errno = null;
        String note = null;
        if (peek().kind() == Kind.WORD) {
            errno = next().text();
        }
        if (peek().is('(')) {
            note = note();
        }
        return new Action.Syscall(end, name, args, result, errno, note);
    }

    /** {@code note: '(' word_list ')'}: the words are kept joined by single spaces. */
    private String note() throws ScriptError {
        Token open = next();
        StringBuilder sb = new StringBuilder();
        while (!peek().is(')')) {
            Token t = peek();
            if (t.kind() == Kind.EOF || t.kind() == Kind.BACK_QUOTED || t.kind() == Kind.CODE
                    || t.line() != open.line()) {
                throw error("syntax error, expected ')' to close the note");
            }
            next();
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(t.text());
        }
        next();
        return sb.toString();
    }

    private List<Expr> expressionList(char close) throws ScriptError {
        List<Expr> list = new ArrayList<>();
        list.add(expression());
        while (peek().is(',')) {
            next();
            list.add(expression());
        }
        if (!peek().is(close)) {
            throw error("syntax error, expected ',' or '" + close + "'");
        }
        return list;
    }

    /** {@code expression}, with {@code binary_expression: expression '|' expression}. */
    private Expr expression() throws ScriptError {
        Expr e = primary();
        while (peek().is('|')) {
            next();
            e = new Expr.Or(e, primary());
        }
        return e;
    }

    /**
     * The other {@code expression} forms: ELLIPSIS, integers, strings (joined; {@code "x"...}), words,
     * {@code WORD '=' expression}, arrays, braces, and function-like forms ({@code htons(8080)},
     * {@code inet_addr("...")}, {@code msg_iov(1)=[...]}).
     */
    private Expr primary() throws ScriptError {
        Token t = peek();
        switch (t.kind()) {
            case ELLIPSIS -> {
                next();
                return new Expr.Ellipsis();
            }
            case INTEGER, HEX_INTEGER -> {
                next();
                return new Expr.Int(parseInt(t), t.kind() == Kind.HEX_INTEGER);
            }
            case STRING -> {
                StringBuilder s = new StringBuilder();
                while (peek().kind() == Kind.STRING) {
                    s.append(next().text());
                }
                boolean prefix = false;
                if (peek().kind() == Kind.ELLIPSIS) {
                    next();
                    prefix = true;
                }
                return new Expr.Str(s.toString(), prefix);
            }
            case WORD -> {
                next();
                Expr target = new Expr.Word(t.text());
                if (peek().is('(')) {
                    next();
                    List<Expr> args = peek().is(')') ? List.of() : expressionList(')');
                    next();
                    target = new Expr.Call(t.text(), args);
                }
                if (peek().is('=')) {
                    next();
                    return new Expr.Assign(target, expression());
                }
                return target;
            }
            case PUNCT -> {
                if (t.is('[') || t.is('{')) {
                    next();
                    char close = t.is('[') ? ']' : '}';
                    List<Expr> items = peek().is(close) ? List.of() : expressionList(close);
                    next();
                    return t.is('[') ? new Expr.Array(items) : new Expr.Braces(items);
                }
            }
            default -> {
            }
        }
        throw error("syntax error, expected an expression");
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private Token peek() {
        return tokens.get(at);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(at + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(at);
        if (t.kind() != Kind.EOF) {
            at++;
        }
        return t;
    }

    private void expect(char c, String what) throws ScriptError {
        if (!peek().is(c)) {
            throw error("syntax error, expected " + what);
        }
        next();
    }

    private void expectWord(String word) throws ScriptError {
        if (!peek().isWord(word)) {
            throw error("syntax error, expected '" + word + "'");
        }
        next();
    }

    private Token expectKind(Kind kind, String what) throws ScriptError {
        if (peek().kind() != kind) {
            throw error("syntax error, expected " + what);
        }
        return next();
    }

    /** An INTEGER token's value. */
    private long integer(String what) throws ScriptError {
        return parseInt(expectKind(Kind.INTEGER, what));
    }

    private long parseInt(Token t) throws ScriptError {
        try {
            return t.kind() == Kind.HEX_INTEGER ? Long.parseUnsignedLong(t.text().substring(2), 16)
                    : Long.parseLong(t.text());
        } catch (NumberFormatException e) {
            throw ScriptError.semantic(file, t.line(), "integer " + t.text() + " out of range");
        }
    }

    private long checked(long value, long max, String message) throws ScriptError {
        if (value < 0 || value > max) {
            throw semantic(message);
        }
        return value;
    }

    private ScriptError error(String what) {
        return ScriptError.parse(file, peek(), what);
    }

    private ScriptError semantic(String what) {
        return ScriptError.semantic(file, eventLine, what);
    }
}
