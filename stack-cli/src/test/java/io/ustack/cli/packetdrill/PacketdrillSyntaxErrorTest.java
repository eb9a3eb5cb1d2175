package io.ustack.cli.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Scripts packetdrill refuses, to the message and line it prints; and no input ever gets a stack trace. */
class PacketdrillSyntaxErrorTest {

    static Stream<Arguments> errors() {
        return Stream.of(
                Arguments.of("", "t.pkt:1: parse error at 'end of file': "
                        + "syntax error, expected an event time (such as 0, +.1 or *)"),
                Arguments.of("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 frobnicate\n",
                        "t.pkt:2: parse error at 'frobnicate': syntax error, expected a packet (< or >), "
                                + "a system call, a `command` or %{ code }%"),
                Arguments.of("0 close(3)\n+0 close(4) = 0\n",
                        "t.pkt:2: parse error at '+': syntax error, expected '=' and the expected result"),
                Arguments.of("0 close(3 = 0\n", "t.pkt:1: parse error at '=': syntax error, expected ',' or ')'"),
                Arguments.of("0 close(3) = 0\n\n+0 < S 0:0(0) win 100 <mss 1460,bogus 3>\n",
                        "t.pkt:3: parse error at 'bogus': unknown TCP option 'bogus' (packetdrill has nop, eol, "
                                + "mss, wscale, sackOK, sack, TS val/ecr, md5, FO, FOEXP)"),
                Arguments.of("0 < S 0:0(0) win 100 <mss 1460 sackOK>\n",
                        "t.pkt:1: parse error at 'sackOK': syntax error, expected ',' or '>' in the TCP options"),
                Arguments.of("0 < . 1:10(5) ack 1 win 100\n",
                        "t.pkt:1: semantic error: inconsistent TCP sequence numbers and payload size"),
                Arguments.of("0 < S 0:0(0) win 100 <mss 70000>\n", "t.pkt:1: semantic error: mss value out of range"),
                Arguments.of("0 < S 0:0(0) win 65536\n", "t.pkt:1: semantic error: TCP window value out of range"),
                Arguments.of("0 < S 0:0(0) win 1 <wscale 256>\n",
                        "t.pkt:1: semantic error: window scale shift count out of range"),
                Arguments.of("0 < X 0:0(0) win 1\n", "t.pkt:1: semantic error: Invalid TCP flag: 'X'"),
                Arguments.of("0 < S 0:0(0) win 1 <FO abc>\n",
                        "t.pkt:1: semantic error: TCP fast open cookie has an odd number of digits"),
                Arguments.of("0 < S 0:0(0) win 1 <md5 zz>\n",
                        "t.pkt:1: semantic error: TCP MD5 digest is not a valid hex string"),
                Arguments.of("0 close(3) = 0\n* close(3) = 0\n",
                        "t.pkt:2: semantic error: event time <star> can only be used with outbound packets"),
                Arguments.of("0.2~0.1 > . 1:1(0) ack 1\n", "t.pkt:1: semantic error: time range is backwards"),
                Arguments.of("+.1~+.2 < . 1:1(0) ack 1 win 1\n",
                        "t.pkt:1: semantic error: event time range can only be used with outbound packets"),
                Arguments.of("+.1~.2 > . 1:1(0) ack 1\n", "t.pkt:1: parse error at '.2': "
                        + "syntax error, expected '+' (a relative range is written +START~+END)"),
                Arguments.of("0 < . 1:1(0) ack 1 win 1 <...>\n",
                        "t.pkt:1: semantic error: <...> for TCP options can only be used with outbound packets"),
                Arguments.of("0 < [ect01] . 1:1(0) ack 1 win 1\n",
                        "t.pkt:1: semantic error: [ect01] can only be used with outbound packets"),
                Arguments.of("0 < [ce] udp (10)\n", "t.pkt:1: semantic error: ECN can only be used with TCP packets"),
                Arguments.of("0 < (tos 16) . 1:1(0) ack 1 win 1\n",
                        "t.pkt:1: parse error at '16': syntax error, expected a hex TOS value such as 0x10"),
                Arguments.of("0 < [bogus] . 1:1(0) ack 1 win 1\n", "t.pkt:1: parse error at 'bogus': syntax error, "
                        + "expected noecn, ect0, ect1, ce, ect01, tos 0xNN, flowlabel 0xNNNNN or ttl N"),
                Arguments.of("0 < gre: . 1:1(0) ack 1 win 1\n",
                        "t.pkt:1: parse error at 'gre': GRE and MPLS encapsulation are not supported"),
                Arguments.of("-1 close(3) = 0\n", "t.pkt:1: semantic error: negative time"),
                Arguments.of("0 close(99999999999999999999) = 0\n",
                        "t.pkt:1: semantic error: integer 99999999999999999999 out of range"),
                Arguments.of("0 close(3) = 0\n+0 `sysctl -q a=1\n\n", "t.pkt:2: parse error at '`': "
                        + "unterminated backtick command"),
                Arguments.of("0 close(3) = 0\n+0 %{\nassert 1\n", "t.pkt:2: parse error at '%{': "
                        + "unterminated %{ }% code snippet"),
                Arguments.of("0 close(3) = 0\n/* never\nclosed\n", "t.pkt:2: parse error at '/*': unterminated comment"),
                Arguments.of("0 write(3, \"abc, 3) = 3\n", "t.pkt:1: parse error at '\"': unterminated string"),
                Arguments.of("`a\nb\nc`\n0 %{\nassert 1\n}%\n+0 < S 0:0(0) win 1 <eol,>\n",
                        "t.pkt:7: parse error at '>': syntax error, expected a TCP option"),
                Arguments.of("--tolerance_usecs=,\n0 close(3) = 0\n",
                        "t.pkt:1: parse error at ',': syntax error, expected an option value"),
                Arguments.of("0 < icmp\n", "t.pkt:2: parse error at 'end of file': "
                        + "syntax error, expected an ICMP type such as unreachable"),
                Arguments.of("0 f(" + "[".repeat(300) + ") = 0\n",
                        "t.pkt:1: parse error at '[': expressions nested more than 100 deep"),
                Arguments.of("0 < S 0:0(0) win 1 {mut ip ihl}\n",
                        "t.pkt:1: parse error at '{': packet fuzzing ({mut/trun/ins ...}) is not supported"));
    }

    @ParameterizedTest
    @MethodSource
    void errors(String script, String message) {
        ScriptError e = assertThrows(ScriptError.class, () -> Parser.parse("t.pkt", script));
        assertEquals(message, e.getMessage());
    }

    /** Random mixes of the language's pieces: a ScriptError or a Script, never another exception. */
    @Test
    void garbageIsAnErrorNeverACrash() {
        String[] pieces = {"0", "+", ".1", "*", "~", "<", ">", "S", ".", "P.", "1:1(0)", "ack", "win", "1", ",",
            "mss", "nop", "sack", "TS", "val", "ecr", "(", ")", "[", "]", "{", "}", "=", "|", "...", "close",
            "\"s\"", "`c`", "%{ x }%", "udp", "icmp", "ipv4", "1.2.3.4", "::1", ":", "-", "0x5", "--opt", "\n",
            "FO", "md5", "ect0", "tos", "ttl", "-1", "99999999999999999999", "/*", "//", "`", "\""};
        Random random = new Random(42);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + random.nextInt(14);
            for (int i = 0; i < len; i++) {
                sb.append(pieces[random.nextInt(pieces.length)]).append(random.nextBoolean() ? " " : "");
            }
            try {
                Parser.parse("g.pkt", sb.toString());
            } catch (ScriptError expected) {
                assertEquals("g.pkt", expected.file());
            } catch (RuntimeException e) {
                throw new AssertionError("crash on: " + sb, e);
            }
        }
    }
}
