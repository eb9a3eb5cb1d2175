package io.ustack.cli.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ustack.cli.packetdrill.Expr.Array;
import io.ustack.cli.packetdrill.Expr.Assign;
import io.ustack.cli.packetdrill.Expr.Braces;
import io.ustack.cli.packetdrill.Expr.Call;
import io.ustack.cli.packetdrill.Expr.Ellipsis;
import io.ustack.cli.packetdrill.Expr.Int;
import io.ustack.cli.packetdrill.Expr.Or;
import io.ustack.cli.packetdrill.Expr.Str;
import io.ustack.cli.packetdrill.Expr.Word;
import io.ustack.cli.packetdrill.PacketSpec.Direction;
import io.ustack.cli.packetdrill.PacketSpec.Ecn;
import io.ustack.cli.packetdrill.PacketSpec.IpInfo;
import io.ustack.cli.packetdrill.TcpOption.FastOpen;
import io.ustack.cli.packetdrill.TcpOption.Md5;
import io.ustack.cli.packetdrill.TcpOption.Mss;
import io.ustack.cli.packetdrill.TcpOption.Nop;
import io.ustack.cli.packetdrill.TcpOption.Sack;
import io.ustack.cli.packetdrill.TcpOption.SackPermitted;
import io.ustack.cli.packetdrill.TcpOption.Timestamp;
import io.ustack.cli.packetdrill.TcpOption.WindowScale;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Snippets of the packetdrill language to the AST the runner gets: times, packets, system calls, commands. */
class PacketdrillParserTest {

    private static Event only(String line) throws ScriptError {
        Script s = Parser.parse("t.pkt", line + "\n");
        assertEquals(1, s.events().size(), "one event in " + line);
        return s.events().get(0);
    }

    private static PacketSpec.Tcp tcp(String flags, long start, int len, Long ack, Integer win, TcpOption... options) {
        return new PacketSpec.Tcp(null, flags, start, len, ack, win, null, List.of(options));
    }

    private static PacketSpec packet(Direction d, PacketSpec.Transport t) {
        return new PacketSpec(d, List.of(), IpInfo.NONE, t);
    }

    private static final Direction IN = Direction.INBOUND;
    private static final Direction OUT = Direction.OUTBOUND;

    static Stream<Arguments> times() {
        return Stream.of(
                Arguments.of("0 close(3) = 0", EventTime.absolute(0)),
                Arguments.of("1.5 close(3) = 0", EventTime.absolute(1_500_000)),
                Arguments.of(".001 close(3) = 0", EventTime.absolute(1_000)),
                Arguments.of("2 close(3) = 0", EventTime.absolute(2_000_000)),
                Arguments.of("+.1 close(3) = 0", EventTime.relative(100_000)),
                Arguments.of("+0 close(3) = 0", EventTime.relative(0)),
                Arguments.of("+1.000001 close(3) = 0", EventTime.relative(1_000_001)),
                Arguments.of("* > . 1:1(0) ack 1", EventTime.any()),
                Arguments.of("0.1~0.2 > . 1:1(0) ack 1",
                        new EventTime(EventTime.Kind.ABSOLUTE_RANGE, 100_000, 200_000)),
                Arguments.of("+.3~+.31 > . 1:1(0) ack 1",
                        new EventTime(EventTime.Kind.RELATIVE_RANGE, 300_000, 310_000)));
    }

    @ParameterizedTest
    @MethodSource
    void times(String line, EventTime expected) throws ScriptError {
        assertEquals(expected, only(line).time());
    }

    static Stream<Arguments> packets() {
        return Stream.of(
                Arguments.of("< S 0:0(0) win 65535 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7>",
                        packet(IN, tcp("S", 0, 0, null, 65535, new Mss(1460), new SackPermitted(),
                                new Timestamp(100, 0), new Nop(), new WindowScale(7)))),
                Arguments.of("> S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>",
                        packet(OUT, tcp("S.", 0, 0, 1L, null, new Mss(1460), new Nop(), new Nop(),
                                new SackPermitted(), new Nop(), new WindowScale(8)))),
                Arguments.of("< P. 1:101(100) ack 1 win 500", packet(IN, tcp("P.", 1, 100, 1L, 500))),
                Arguments.of("> . 1:1(0) ack 101 <nop,nop,sack 1001:2001 3001:4001>",
                        packet(OUT, tcp(".", 1, 0, 101L, null, new Nop(), new Nop(), new Sack(List.of(
                                new Sack.Block(1001, 2001), new Sack.Block(3001, 4001)))))),
                Arguments.of("< F. 4294967295:4294967295(0) ack 4294967295 win 0",
                        packet(IN, tcp("F.", 4294967295L, 0, 4294967295L, 0))),
                Arguments.of("> R 1:1(0)", packet(OUT, tcp("R", 1, 0, null, null))),
                Arguments.of("> R. 1:1(0) ack 1 win 0", packet(OUT, tcp("R.", 1, 0, 1L, 0))),
                Arguments.of("< - 1:1(0) win 10", packet(IN, tcp("", 1, 0, null, 10))),
                Arguments.of("< . 1:1(0) ack 1 win 100 urg 7",
                        packet(IN, new PacketSpec.Tcp(null, ".", 1, 0, 1L, 100, 7, List.of()))),
                Arguments.of("< [ect0] SEW 0:0(0) win 100",
                        new PacketSpec(IN, List.of(), new IpInfo(Ecn.ECT0, null, null, null),
                                tcp("SEW", 0, 0, null, 100))),
                Arguments.of("> [ce] . 1:1(0) ack 1", new PacketSpec(OUT, List.of(),
                        new IpInfo(Ecn.CE, null, null, null), tcp(".", 1, 0, 1L, null))),
                Arguments.of("> [noecn] SE. 0:0(0) ack 1", new PacketSpec(OUT, List.of(),
                        new IpInfo(Ecn.NO_ECN, null, null, null), tcp("SE.", 0, 0, 1L, null))),
                Arguments.of("> [ect01] . 1:1(0) ack 1", new PacketSpec(OUT, List.of(),
                        new IpInfo(Ecn.ECT01, null, null, null), tcp(".", 1, 0, 1L, null))),
                Arguments.of("< (tos 0x10) . 1:1(0) ack 1 win 100", new PacketSpec(IN, List.of(),
                        new IpInfo(null, 0x10, null, null), tcp(".", 1, 0, 1L, 100))),
                Arguments.of("< [ttl 1] . 1:1(0) ack 1 win 100", new PacketSpec(IN, List.of(),
                        new IpInfo(null, null, null, 1), tcp(".", 1, 0, 1L, 100))),
                Arguments.of("< 40000>8080 S 0:0(0) win 100", packet(IN, new PacketSpec.Tcp(
                        new PacketSpec.Ports(40000, 8080), "S", 0, 0, null, 100, null, List.of()))),
                Arguments.of("< . 1:1(0) ack 1 win 100 <md5 00112233445566778899aabbccddeeff,nop,nop>",
                        packet(IN, tcp(".", 1, 0, 1L, 100, new Md5("00112233445566778899aabbccddeeff"),
                                new Nop(), new Nop()))),
                Arguments.of("> S 0:0(0) <mss 1460,FO,nop,nop>", packet(OUT, tcp("S", 0, 0, null, null,
                        new Mss(1460), new FastOpen("", false), new Nop(), new Nop()))),
                Arguments.of("< S. 0:0(0) ack 1 win 10 <FO 0123abcd,eol>", packet(IN, tcp("S.", 0, 0, 1L, 10,
                        new FastOpen("0123abcd", false), new TcpOption.Eol()))),
                Arguments.of("< S. 0:0(0) ack 1 win 10 <FOEXP 12345678>", packet(IN, tcp("S.", 0, 0, 1L, 10,
                        new FastOpen("12345678", true)))),
                Arguments.of("> P. 1:1001(1000) ack 1 <...>", packet(OUT,
                        new PacketSpec.Tcp(null, "P.", 1, 1000, 1L, null, null, null))),
                Arguments.of("< udp (100)", packet(IN, new PacketSpec.Udp(null, 100))),
                Arguments.of("> udp 5353>53 (20)", packet(OUT,
                        new PacketSpec.Udp(new PacketSpec.Ports(5353, 53), 20))),
                Arguments.of("> icmp unreachable port_unreachable [udp (100)]", packet(OUT, new PacketSpec.Icmp(
                        "unreachable", "port_unreachable", null, null, new PacketSpec.Echoed("udp", 0, 100)))),
                Arguments.of("< icmp unreachable frag_needed mtu 1200 [1:1461(1460)]", packet(IN,
                        new PacketSpec.Icmp("unreachable", "frag_needed", 1200, null,
                                new PacketSpec.Echoed("tcp", 1, 1460)))),
                Arguments.of("< icmp echo_reply id 7", packet(IN,
                        new PacketSpec.Icmp("echo_reply", null, null, 7L, null))),
                Arguments.of("< ipv4 (ttl 9) 192.0.2.9 > 192.168.0.1: . 1:1(0) ack 1 win 100",
                        new PacketSpec(IN, List.of(new PacketSpec.OuterIp(4, new IpInfo(null, null, null, 9),
                                "192.0.2.9", "192.168.0.1")), IpInfo.NONE, tcp(".", 1, 0, 1L, 100))));
    }

    @ParameterizedTest
    @MethodSource
    void packets(String line, PacketSpec expected) throws ScriptError {
        assertEquals(new Action.Packet(expected), only("+0 " + line).action());
    }

    private static Action.Syscall call(String name, Expr result, Expr... args) {
        return new Action.Syscall(-1, name, List.of(args), result, null, null);
    }

    private static Int i(long v) {
        return new Int(v, false);
    }

    private static Word w(String name) {
        return new Word(name);
    }

    private static Assign field(String name, Expr value) {
        return new Assign(w(name), value);
    }

    static Stream<Arguments> syscalls() {
        Ellipsis any = new Ellipsis();
        return Stream.of(
                Arguments.of("socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
                        call("socket", i(3), any, w("SOCK_STREAM"), w("IPPROTO_TCP"))),
                Arguments.of("getpid() = 42", call("getpid", i(42))),
                Arguments.of("fcntl(3, F_GETFL) = 0x802 (flags O_RDWR|O_NONBLOCK)",
                        new Action.Syscall(-1, "fcntl", List.of(i(3), w("F_GETFL")), new Int(0x802, true), null,
                                "flags O_RDWR | O_NONBLOCK")),
                Arguments.of("fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0",
                        call("fcntl", i(0), i(3), w("F_SETFL"), new Or(w("O_RDWR"), w("O_NONBLOCK")))),
                Arguments.of("connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)",
                        new Action.Syscall(-1, "connect", List.of(i(3), any, any), i(-1), "EINPROGRESS",
                                "Operation now in progress")),
                Arguments.of("read(4, ..., 100) = -1 EAGAIN", new Action.Syscall(-1, "read",
                        List.of(i(4), any, i(100)), i(-1), "EAGAIN", null)),
                Arguments.of("setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", call("setsockopt", i(0),
                        i(3), w("SOL_SOCKET"), w("SO_REUSEADDR"), new Array(List.of(i(1))), i(4))),
                Arguments.of("getsockopt(3, SOL_TCP, TCP_CONGESTION, \"re\" \"no\"..., [4]) = 0",
                        call("getsockopt", i(0), i(3), w("SOL_TCP"), w("TCP_CONGESTION"), new Str("reno", true),
                                new Array(List.of(i(4))))),
                Arguments.of("setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0",
                        call("setsockopt", i(0), i(3), w("SOL_SOCKET"), w("SO_LINGER"),
                                new Braces(List.of(field("onoff", i(1)), field("linger", i(0)))), i(8))),
                Arguments.of("poll([{fd=5, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1",
                        call("poll", i(1), new Array(List.of(new Braces(List.of(field("fd", i(5)),
                                field("events", new Or(w("POLLIN"), w("POLLOUT"))), field("revents", w("POLLOUT")))))),
                                i(1), i(0))),
                Arguments.of("bind(3, {sa_family=AF_INET, sin_port=htons(8080), "
                        + "sin_addr=inet_addr(\"192.0.2.1\")}, 16) = 0",
                        call("bind", i(0), i(3), new Braces(List.of(field("sa_family", w("AF_INET")),
                                field("sin_port", new Call("htons", List.of(i(8080)))),
                                field("sin_addr", new Call("inet_addr", List.of(new Str("192.0.2.1", false)))))),
                                i(16))),
                Arguments.of("recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 500}], msg_flags=0,\n"
                                + "    msg_control=[{cmsg_level=SOL_TCP, cmsg_type=TCP_CM_INQ, cmsg_data=7}]}, 0) = 500",
                        call("recvmsg", i(500), i(4), new Braces(List.of(
                                new Assign(new Call("msg_name", List.of(any)), any),
                                new Assign(new Call("msg_iov", List.of(i(1))),
                                        new Array(List.of(new Braces(List.of(any, i(500)))))),
                                field("msg_flags", i(0)),
                                field("msg_control", new Array(List.of(new Braces(List.of(
                                        field("cmsg_level", w("SOL_TCP")), field("cmsg_type", w("TCP_CM_INQ")),
                                        field("cmsg_data", i(7))))))))), i(0))),
                Arguments.of("epoll_wait(5, {events=EPOLLERR|EPOLLOUT, fd=4}, 1, 0) = 1",
                        call("epoll_wait", i(1), i(5), new Braces(List.of(
                                field("events", new Or(w("EPOLLERR"), w("EPOLLOUT"))), field("fd", i(4)))),
                                i(1), i(0))),
                Arguments.of("...0.25 accept(3, ..., ...) = 4",
                        new Action.Syscall(250_000, "accept", List.of(i(3), any, any), i(4), null, null)));
    }

    @ParameterizedTest
    @MethodSource
    void syscalls(String line, Action.Syscall expected) throws ScriptError {
        assertEquals(expected, only("+0" + (line.startsWith("...") ? "" : " ") + line).action());
    }

    @Test
    void aBlockingCallKeepsItsStartAndEnd() throws ScriptError {
        Event e = only("+0...0.1 read(3, ..., 1000) = 1000");
        assertEquals(EventTime.relative(0), e.time());
        assertEquals(100_000, ((Action.Syscall) e.action()).endUsecs());
    }

    @Test
    void optionsInitCommandsCodeAndCleanupWithTheirLines() throws ScriptError {
        Script s = Parser.parse("t.pkt", """
                --tolerance_usecs=10000
                --define=CC="reno"
                --ip_version=ipv4 --local_ip=192.168.0.1
                --remote_ip=fd3d:fa7b:d17d::1
                --verbose
                // a comment
                /* and a
                   longer one */
                `./setup.sh
                sysctl -q net.ipv4.tcp_sack=1`

                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3 // trailing comment
                +0 %{
                assert tcpi_snd_cwnd == 10
                }%
                +.5 `sysctl -q net.ipv4.tcp_timestamps=0`
                +0 %{ assert tcpi_rto >= 200000, 'rto=%d' % tcpi_rto }%
                `./restore.sh`
                """);
        assertEquals(List.of(new Script.Option(1, "tolerance_usecs", "10000"),
                new Script.Option(2, "define", "CC=\"reno\""), new Script.Option(3, "ip_version", "ipv4"),
                new Script.Option(3, "local_ip", "192.168.0.1"), new Script.Option(4, "remote_ip", "fd3d:fa7b:d17d::1"),
                new Script.Option(5, "verbose", null)), s.options());
        assertEquals("10000", s.option("tolerance_usecs"));
        assertEquals(new Action.Command("./setup.sh\nsysctl -q net.ipv4.tcp_sack=1", 9), s.init());
        assertEquals(List.of(12, 13, 16, 17), s.events().stream().map(Event::line).toList());
        assertEquals(new Action.Code("\nassert tcpi_snd_cwnd == 10\n", 13), s.events().get(1).action());
        assertEquals(new Action.Command("sysctl -q net.ipv4.tcp_timestamps=0", 16), s.events().get(2).action());
        assertEquals(new Action.Code("assert tcpi_rto >= 200000, 'rto=%d' % tcpi_rto", 17),
                s.events().get(3).action());
        assertEquals(new Action.Command("./restore.sh", 18), s.cleanup());
    }

    @Test
    void aCommandBetweenEventsIsAnEventNotTheCleanup() throws ScriptError {
        Script s = Parser.parse("t.pkt", "0 close(3) = 0\n`true`\n");
        assertEquals(new Action.Command("true", 2), s.cleanup());
        s = Parser.parse("t.pkt", "`a`\n0 `b`\n+0 close(3) = 0\n");
        assertEquals(new Action.Command("a", 1), s.init());
        assertNull(s.cleanup());
        assertEquals(new Action.Command("b", 2), s.events().get(0).action());
    }

    @Test
    void formsOfPacketdrillsOwnTests() throws ScriptError {
        Script s = Parser.parse("t.pkt", """
                --local_ip=192.168.7.2
                --dry_run   // parse only
                `../../common/defaults.sh
                 ../../common/set_sysctls.py /proc/sys/net/ipv4/tcp_timestamps=0`
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 sendto(3, ..., 0, MSG_FASTOPEN, AF_UNSPEC, ...) = -1 EOPNOTSUPP (Operation not supported)
                +0 setsockopt(3, SOL_TCP, TCP_FASTOPEN_KEY,
                              "\\x01\\x02", 2) = 0
                +0 setsockopt(3, SOL_TCP, TCP_FASTOPEN_KEY, "", 1) = -1 (Invalid Argument)
                +0 < S 100:110(10) win 1000 <mss 1000,FOEXP,sackOK,TS val 1 ecr 0,nop,wscale 7>
                +0 > S. 0:0(0) ack 111 <mss 1460,sackOK,TS val 9 ecr 1,nop,wscale 8, FOEXP 0011223344556677>
                +.01 < icmp unreachable frag_needed mtu 800 [0:1000(1000)]
                +0...0.100 read(4, ..., 2000) = 2000
                +.1...0.2 read(4, ..., 2000) = 2000
                +0 %{ LIMIT = 0x7fffffff }%
                +.005 %{
                assert tcpi_ca_state == TCP_CA_CWR, tcpi_ca_state

                # a comment
                assert (tcpi_options & TCPI_OPT_SYN_DATA) == 0, tcpi_options
                }%
                +0 < ipv6 2::22 > 1::11: ipv6 2::22 > 1::11: . 1:1001(1000) ack 1 win 100
                +.09 < [noecn] E. 1:1(0) ack 1001 win 300
                `/tmp/sysctl_restore_${PPID}.sh`
                """);
        assertEquals(List.of(new Script.Option(1, "local_ip", "192.168.7.2"), new Script.Option(2, "dry_run", null)),
                s.options());
        assertEquals(13, s.events().size());
        Action.Syscall sendto = (Action.Syscall) s.events().get(1).action();
        assertEquals("EOPNOTSUPP", sendto.errno());
        assertEquals("Operation not supported", sendto.note());
        assertEquals(new Str("\\x01\\x02", false), ((Action.Syscall) s.events().get(2).action()).args().get(3));
        Action.Syscall invalid = (Action.Syscall) s.events().get(3).action();
        assertEquals(null, invalid.errno());
        assertEquals("Invalid Argument", invalid.note());
        assertEquals(new Action.Syscall(100_000, "read", List.of(i(4), new Ellipsis(), i(2000)), i(2000), null, null),
                s.events().get(7).action());
        assertEquals(EventTime.relative(100_000), s.events().get(8).time());
        assertEquals(200_000, ((Action.Syscall) s.events().get(8).action()).endUsecs());
        PacketSpec v6 = ((Action.Packet) s.events().get(11).action()).spec();
        assertEquals(List.of(new PacketSpec.OuterIp(6, IpInfo.NONE, "2::22", "1::11"),
                new PacketSpec.OuterIp(6, IpInfo.NONE, "2::22", "1::11")), v6.outer());
        assertEquals(new Action.Command("/tmp/sysctl_restore_${PPID}.sh", 24), s.cleanup());
    }

    @Test
    void definesReplaceWordsAsPacketdrillsMinusD() throws ScriptError {
        Script s = Parser.parse("t.pkt", """
                --define=CC="reno"
                --define=LEVEL=SOL_TCP
                0 setsockopt(3, LEVEL, TCP_CONGESTION, CC, 4) = 0
                +0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 0}], msg_flags=MSG_ERRQUEUE,
                     msg_control=[{cmsg_level=CMSG_LEVEL_IP, cmsg_type=CMSG_TYPE_RECVERR, cmsg_data=0}]}, 0) = 0
                """, Map.of("CMSG_LEVEL_IP", "SOL_IP", "CMSG_TYPE_RECVERR", "IP_RECVERR", "LEVEL", "SOL_SOCKET"));
        assertEquals(List.of(i(3), w("SOL_TCP"), w("TCP_CONGESTION"), new Str("reno", false), i(4)),
                ((Action.Syscall) s.events().get(0).action()).args());
        Braces msg = (Braces) ((Action.Syscall) s.events().get(1).action()).args().get(1);
        assertEquals(new Array(List.of(new Braces(List.of(field("cmsg_level", w("SOL_IP")),
                field("cmsg_type", w("IP_RECVERR")), field("cmsg_data", i(0)))))), msg.field("msg_control"));
    }

    @Test
    void lexerLongestMatchAsFlex() throws ScriptError {
        List<Token> t = Lexer.tokenize("t", "0x1f 123 000abc .5 1.2.3.4 ::1 1:1001(1000) ... --x -1 \"a\\\"b\"");
        assertEquals(List.of(Token.Kind.HEX_INTEGER, Token.Kind.INTEGER, Token.Kind.WORD, Token.Kind.FLOAT,
                Token.Kind.IPV4_ADDR, Token.Kind.IPV6_ADDR, Token.Kind.INTEGER, Token.Kind.PUNCT, Token.Kind.INTEGER,
                Token.Kind.PUNCT, Token.Kind.INTEGER, Token.Kind.PUNCT, Token.Kind.ELLIPSIS, Token.Kind.OPTION,
                Token.Kind.INTEGER, Token.Kind.STRING, Token.Kind.EOF), t.stream().map(Token::kind).toList());
        assertEquals("a\\\"b", t.get(15).text());
    }
}
