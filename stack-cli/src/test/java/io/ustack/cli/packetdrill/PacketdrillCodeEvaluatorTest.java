package io.ustack.cli.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** %{ }% snippets as Linux's tests write them, against a map of tcp_info fields. */
class PacketdrillCodeEvaluatorTest {
    private static final Map<String, Long> INFO = Map.of(
            "tcpi_snd_cwnd", 10L, "tcpi_rto", 204000L, "tcpi_ca_state", 0L, "tcpi_snd_ssthresh", 2147483647L,
            "tcpi_unacked", 3L);

    private static CodeOutcome run(String code) {
        return new CodeEvaluator().run(new Action.Code(code, 20), INFO);
    }

    static Stream<String> passing() {
        return Stream.of(
                "assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd",
                "assert tcpi_snd_cwnd == 10, 'cwnd=%d' % tcpi_snd_cwnd",
                "assert tcpi_snd_cwnd == 10; assert tcpi_ca_state == 0",
                "\nassert tcpi_snd_cwnd == 10\n\nassert tcpi_unacked == 3  # a comment\n",
                "assert 200000 <= tcpi_rto < 300000",
                "assert 1 < 2 < 3 > 2 >= 2 <= 2 != 3",
                "assert tcpi_ca_state == 0 or tcpi_ca_state == 1",
                "assert not tcpi_ca_state and tcpi_snd_cwnd",
                "assert True or undefined_name",
                "assert not (False and undefined_name)",
                "assert 2 + 3 * 4 == 14 and (2 + 3) * 4 == 20",
                "assert 2 ** 3 ** 2 == 512 and -2 ** 2 == -4",
                "assert 7 // 2 == 3 and -7 // 2 == -4 and -7 % 3 == 2 and 7 % -3 == -2",
                "assert 7 / 2 == 3.5 and 4 / 2 == 2 and tcpi_snd_cwnd / 4 == 2.5",
                "assert 0x10 == 16 and 1_000 == 1000 and 0o17 == 15 and 0b101 == 5",
                "assert 1 << 4 == 16 and 0xff & 0x0f == 15 and 1 | 2 == 3 and 5 ^ 1 == 4 and ~0 == -1",
                "assert tcpi_snd_ssthresh == 2147483647",
                "assert abs(-3) == 3 and min(tcpi_snd_cwnd, 4) == 4 and max(1, 2, 9) == 9 and int(7 / 2) == 3",
                "x = tcpi_snd_cwnd * 2\nassert x == 20, x",
                "assert 'a' + 'b' == 'ab' and 'ab' < 'b' and 'x' != 1",
                "assert True == 1 and False + 1 == 1",
                "pass",
                "");
    }

    @ParameterizedTest
    @MethodSource
    void passing(String code) {
        assertEquals(new CodeOutcome.Passed(), run(code));
    }

    static Stream<Arguments> failing() {
        return Stream.of(
                Arguments.of("assert tcpi_snd_cwnd == 12, tcpi_snd_cwnd",
                        new CodeOutcome.AssertionFailed(20, "tcpi_snd_cwnd == 12", "10")),
                Arguments.of("assert tcpi_snd_cwnd == 12, 'cwnd=%d' % tcpi_snd_cwnd",
                        new CodeOutcome.AssertionFailed(20, "tcpi_snd_cwnd == 12", "cwnd=10")),
                Arguments.of("assert tcpi_snd_cwnd==12",
                        new CodeOutcome.AssertionFailed(20, "tcpi_snd_cwnd==12", null)),
                Arguments.of("assert tcpi_snd_cwnd == 10\nassert (tcpi_rto <\n 1000), \\\n 'rto %d cwnd %d' % (tcpi_rto, tcpi_snd_cwnd)",
                        new CodeOutcome.AssertionFailed(21, "(tcpi_rto <\n 1000)", "rto 204000 cwnd 10")),
                Arguments.of("assert tcpi_ca_state in (0, 1)",
                        new CodeOutcome.Unsupported(20, "'in' comparisons")),
                Arguments.of("\n\nassert tcpi_snd_cwd == 10",
                        new CodeOutcome.Unsupported(22, "name 'tcpi_snd_cwd' (not a tcp_info field this runner has)")),
                Arguments.of("import os", new CodeOutcome.Unsupported(20,
                        "'import' statements (only assert, NAME = EXPR and pass)")),
                Arguments.of("if tcpi_snd_cwnd: pass", new CodeOutcome.Unsupported(20,
                        "'if' statements (only assert, NAME = EXPR and pass)")),
                Arguments.of("print(tcpi_snd_cwnd)", new CodeOutcome.Unsupported(20,
                        "statement starting with 'print' (only assert, NAME = EXPR and pass)")),
                Arguments.of("assert len(x)", new CodeOutcome.Unsupported(20,
                        "function len() (only abs, min, max and int)")),
                Arguments.of("assert [1]", new CodeOutcome.Unsupported(20, "lists, dicts and sets")),
                Arguments.of("assert tcpi.snd", new CodeOutcome.Unsupported(20,
                        "attributes, subscripts and calls of '.'")),
                Arguments.of("assert 1 if 2 else 3", new CodeOutcome.Unsupported(20,
                        "conditional expressions (x if c else y)")),
                Arguments.of("assert tcpi_snd_cwnd ==", new CodeOutcome.Unsupported(20,
                        "invalid syntax: end of line where a value should be")),
                Arguments.of("assert 1 2", new CodeOutcome.Unsupported(20, "invalid syntax: '2' after a statement")),
                Arguments.of("assert 'abc", new CodeOutcome.Unsupported(20, "an unterminated string")),
                Arguments.of("assert 1 / 0", new CodeOutcome.Error(20, "ZeroDivisionError: division by zero")),
                Arguments.of("assert 1 % 0", new CodeOutcome.Error(20,
                        "ZeroDivisionError: integer division or modulo by zero")),
                Arguments.of("assert 'a' < 1", new CodeOutcome.Error(20,
                        "TypeError: '<' not supported between instances of 'str' and 'int'")),
                Arguments.of("assert 1, '%d %d' % (1,)", new CodeOutcome.Passed()),
                Arguments.of("assert 0, '%d %d' % (1,)", new CodeOutcome.Error(20,
                        "TypeError: not enough arguments for format string")),
                Arguments.of("assert 9223372036854775807 + 1", new CodeOutcome.Unsupported(20,
                        "integer overflow (this evaluator's integers are 64-bit)")),
                Arguments.of("assert 2 ** 63", new CodeOutcome.Unsupported(20,
                        "integer overflow (this evaluator's integers are 64-bit)")),
                Arguments.of("assert 1 ** 9223372036854775807 == 1 and (-2) ** 63 == -9223372036854775807 - 1 "
                        + "and 2 ** -1 == 0.5 and not not not 0", new CodeOutcome.Passed()),
                Arguments.of("assert " + "(".repeat(500) + "1" + ")".repeat(500), new CodeOutcome.Unsupported(20,
                        "expressions nested more than 100 deep")));
    }

    @ParameterizedTest
    @MethodSource
    void failing(String code, CodeOutcome expected) {
        assertEquals(expected, run(code));
    }

    @Test
    void aFailedAssertStopsTheSnippetAndReadsAsPythonWould() {
        CodeOutcome o = run("assert tcpi_snd_cwnd == 9, 'cwnd=%d' % tcpi_snd_cwnd; assert undefined");
        assertEquals("assertion failed: tcpi_snd_cwnd == 9: cwnd=10", o.toString());
        assertEquals("t.pkt:20: error in Python code\n    assert tcpi_snd_cwnd == 9\nAssertionError: cwnd=10",
                o.report("t.pkt"));
        assertEquals("t.pkt:20: unsupported in %{ }%: 'import' statements (only assert, NAME = EXPR and pass)",
                run("import os").report("t.pkt"));
        assertEquals("t.pkt:20: error in Python code\nZeroDivisionError: division by zero",
                run("assert 1 / 0").report("t.pkt"));
        assertEquals(null, run("pass").report("t.pkt"));
    }

    @Test
    void oneScriptsSnippetsShareTheirGlobalsAndSeePacketdrillsSymbols() {
        CodeEvaluator e = new CodeEvaluator();
        assertEquals(new CodeOutcome.Passed(), e.run(new Action.Code("TCP_INFINITE_SSTHRESH = 0x7fffffff", 3),
                Map.of("tcpi_snd_ssthresh", 5L)));
        assertEquals(new CodeOutcome.Passed(), e.run(new Action.Code(
                "assert tcpi_snd_ssthresh == TCP_INFINITE_SSTHRESH", 4), Map.of("tcpi_snd_ssthresh", 0x7fffffffL)));
        assertEquals(new CodeOutcome.Passed(), e.run(new Action.Code(
                "assert tcpi_ca_state == TCP_CA_CWR and tcpi_state == TCP_ESTABLISHED\n"
                        + "assert tcpi_options & TCPI_OPT_WSCALE and TCP_CA_Loss == 4 and TCP_LISTEN == 10", 5),
                Map.of("tcpi_ca_state", 2L, "tcpi_state", 1L, "tcpi_options", 7L)));
        assertEquals(new CodeOutcome.AssertionFailed(6, "tcpi_snd_ssthresh == 5", null),
                e.run(new Action.Code("assert tcpi_snd_ssthresh == 5", 6), Map.of("tcpi_snd_ssthresh", 9L)),
                "each run's values replace the last run's");
        assertEquals(new CodeOutcome.Unsupported(1, "name 'TCP_INFINITE_SSTHRESH' (not a tcp_info field this runner has)"),
                new CodeEvaluator().run(new Action.Code("assert TCP_INFINITE_SSTHRESH", 1), Map.of()),
                "a fresh evaluator for a fresh script");
    }

    /** Random mixes of Python's pieces: an outcome, never an exception. */
    @Test
    void garbageIsAnOutcomeNeverACrash() {
        String[] pieces = {"assert", "tcpi_rto", "x", "=", "==", "<", "and", "or", "not", "(", ")", ",", "'%d'",
            "'%s %'", "%", "/", "//", "**", "-", "~", "0", "1", "0x7f", "1.5", "True", "None", ";", "\n", "if",
            "abs", "min(", "[", ".", "'", "#", "<<", "64", "|", "in", "is", "pass", "\\\n"};
        Random random = new Random(7);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + random.nextInt(12);
            for (int i = 0; i < len; i++) {
                sb.append(pieces[random.nextInt(pieces.length)]).append(' ');
            }
            try {
                CodeOutcome o = new CodeEvaluator().run(new Action.Code(sb.toString(), 1), INFO);
                assertNotNull(o);
            } catch (RuntimeException e) {
                throw new AssertionError("crash on: " + sb, e);
            }
        }
    }

    @Test
    void namesUsedAreWhatTheRunnerMustProvide() {
        CodeEvaluator e = new CodeEvaluator();
        assertEquals(Set.of("tcpi_snd_cwnd", "tcpi_rto"), e.namesUsed(new Action.Code(
                "x = tcpi_snd_cwnd\nassert x == 10 and tcpi_rto > 0, 'x=%d' % x", 1)));
        assertEquals(List.of("tcpi_ca_state", "tcpi_snd_cwnd"), List.copyOf(e.namesUsed(
                new Action.Code("assert tcpi_ca_state == TCP_CA_Open or tcpi_snd_cwnd > 1", 1))));
        assertEquals(Set.of(), e.namesUsed(new Action.Code("import os", 1)));
        e.run(new Action.Code("LIMIT = 7", 1), Map.of());
        assertEquals(Set.of("tcpi_snd_cwnd"), e.namesUsed(new Action.Code("assert tcpi_snd_cwnd < LIMIT", 2)));
    }

    static Stream<Arguments> formats() {
        return Stream.of(
                Arguments.of("cwnd=%d", 10L, "cwnd=10"),
                Arguments.of("%d %s %r", List.of(1L, "a", "a"), "1 a 'a'"),
                Arguments.of("%5d|%-5d|%05d|%+d|% d", List.of(42L, 42L, 42L, 42L, 42L), "   42|42   |00042|+42| 42"),
                Arguments.of("%x %X %#x %o %#o", List.of(255L, 255L, 255L, 8L, 8L), "ff FF 0xff 10 0o10"),
                Arguments.of("%.2f %f %e", List.of(2.345, 1L, 12345.678), "2.35 1.000000 1.234568e+04"),
                Arguments.of("%g %g %g %g", List.of(0.0001, 123456789L, 2.5, 100L), "0.0001 1.23457e+08 2.5 100"),
                Arguments.of("%s %s %s %s", List.of(true, 3.0, 0.1, 1e20), "True 3.0 0.1 1e+20"),
                Arguments.of("%d%%", 50L, "50%"),
                Arguments.of("%.3s|%*d", List.of("abcdef", 4L, 7L), "abc|   7"),
                Arguments.of("%d", 7.9, "7"),
                Arguments.of("%s", List.of(List.of(1L, "b")), "(1, 'b')"));
    }

    @ParameterizedTest
    @MethodSource
    void formats(String format, Object args, String expected) {
        assertEquals(expected, PercentFormat.format(format, args));
    }
}
