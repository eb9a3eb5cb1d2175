package io.ustack.cli.packetdrill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ustack.cli.packetdrill.ShellItem.Sysctl;
import io.ustack.cli.packetdrill.ShellItem.Unsupported;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Backtick commands to sysctl settings and unsupported items; nothing runs on the host. */
class PacketdrillShellCommandsTest {
    private static final Map<String, String> SCRIPTS = Map.of(
            "setup.sh", """
                    #!/bin/bash
                    # Settings for the tests.

                    ip tcp_metrics flush all > /dev/null 2>&1
                    sysctl -q net.ipv4.tcp_rmem="4096 131072 $((6*1024*1024))"
                    sysctl -q net.ipv4.tcp_sack=1 > /dev/null 2>&1   # trailing comment
                    ./more.sh
                    """,
            "more.sh", "sysctl -w net.ipv4.tcp_ecn=2\n",
            "loop.sh", "./loop.sh\n");

    private static List<ShellItem> interpret(String command) {
        return new ShellCommands(SCRIPTS::get).interpret(command, "t.pkt", 5);
    }

    private static Sysctl set(String name, String value) {
        return new Sysctl(name, value, "t.pkt", 5);
    }

    private static Unsupported no(String command, String reason) {
        return new Unsupported(command, reason, "t.pkt", 5);
    }

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of("sysctl -q net.ipv4.tcp_sack=0", List.of(set("net.ipv4.tcp_sack", "0"))),
                Arguments.of("sysctl -w net.ipv4.tcp_sack=0", List.of(set("net.ipv4.tcp_sack", "0"))),
                Arguments.of("sysctl -e -q net/ipv4/tcp_min_tso_segs=2",
                        List.of(set("net.ipv4.tcp_min_tso_segs", "2"))),
                Arguments.of("sysctl -qw net.ipv4.tcp_early_retrans=4 net.ipv4.tcp_recovery=1",
                        List.of(set("net.ipv4.tcp_early_retrans", "4"), set("net.ipv4.tcp_recovery", "1"))),
                Arguments.of("sysctl -q net.ipv4.tcp_wmem=\"4096 $((16 * 1024)) $(( (1<<20) + 0x10 ))\"",
                        List.of(set("net.ipv4.tcp_wmem", "4096 16384 1048592"))),
                Arguments.of("sysctl -q 'net.ipv4.tcp_congestion_control=reno'",
                        List.of(set("net.ipv4.tcp_congestion_control", "reno"))),
                Arguments.of("sysctl -q net.ipv4.tcp_notsent_lowat=4294967295 > /dev/null 2>&1",
                        List.of(set("net.ipv4.tcp_notsent_lowat", "4294967295"))),
                Arguments.of("sysctl -q net.ipv4.tcp_sack=1; sysctl -q net.ipv4.tcp_dsack=0 && sysctl -q a.b=c",
                        List.of(set("net.ipv4.tcp_sack", "1"), set("net.ipv4.tcp_dsack", "0"), set("a.b", "c"))),
                Arguments.of("./set_sysctls.py /proc/sys/net/ipv4/tcp_slow_start_after_idle=1 \\\n"
                                + "\t\t/proc/sys/net/ipv4/tcp_min_tso_segs=10",
                        List.of(set("net.ipv4.tcp_slow_start_after_idle", "1"),
                                set("net.ipv4.tcp_min_tso_segs", "10"))),
                Arguments.of("echo 3 > /proc/sys/net/ipv4/tcp_fastopen", List.of(set("net.ipv4.tcp_fastopen", "3"))),
                Arguments.of("", List.of()),
                Arguments.of("  # only a comment\n\n", List.of()),
                Arguments.of("tc qdisc add dev tun0 root pfifo",
                        List.of(no("tc qdisc add dev tun0 root pfifo", "not a sysctl setting or a script next to the .pkt"))),
                Arguments.of("/tmp/sysctl_restore_${PPID}.sh", List.of(no("/tmp/sysctl_restore_${PPID}.sh",
                        "needs a shell: the shell variable ${PPID}"))),
                Arguments.of("grep x /proc/net/tcp | wc -l", List.of(no("grep x /proc/net/tcp | wc -l",
                        "needs a shell: a pipeline"))),
                Arguments.of("sysctl -q net.ipv4.tcp_sack=1 || true", List.of(no("sysctl -q net.ipv4.tcp_sack=1 || true",
                        "needs a shell: '||'"))),
                Arguments.of("sysctl -q net.ipv4.tcp_rmem=\"$(cat f)\"", List.of(no("sysctl -q net.ipv4.tcp_rmem=\"$(cat f)\"",
                        "needs a shell: command substitution $(...)"))),
                Arguments.of("sysctl -q x=$((1/0))", List.of(no("sysctl -q x=$((1/0))",
                        "needs a shell: division by 0 in $((1/0))"))),
                Arguments.of("sysctl net.ipv4.tcp_sack",
                        List.of(no("sysctl net.ipv4.tcp_sack", "a sysctl read (net.ipv4.tcp_sack) sets nothing"))),
                Arguments.of("sysctl -p /etc/sysctl.conf", List.of(no("sysctl -p /etc/sysctl.conf", "sysctl option -p"))),
                Arguments.of("echo 1 > /tmp/x", List.of(no("echo 1 > /tmp/x", "writes to /tmp/x"))),
                Arguments.of("X=1 ./setup.sh", List.of(no("X=1 ./setup.sh", "needs a shell: a variable assignment"))),
                Arguments.of("./missing.sh", List.of(no("./missing.sh", "no script missing.sh next to the .pkt"))),
                Arguments.of("/etc/init.sh", List.of(no("/etc/init.sh", "an absolute path (only scripts named relative to the .pkt are read)"))));
    }

    @ParameterizedTest
    @MethodSource
    void commands(String command, List<ShellItem> expected) {
        assertEquals(expected, interpret(command));
    }

    @Test
    void calledScriptsAreReadLineByLineAndRecursively() {
        assertEquals(List.of(
                new Unsupported("ip tcp_metrics flush all > /dev/null 2>&1",
                        "not a sysctl setting or a script next to the .pkt", "setup.sh", 4),
                new Sysctl("net.ipv4.tcp_rmem", "4096 131072 6291456", "setup.sh", 5),
                new Sysctl("net.ipv4.tcp_sack", "1", "setup.sh", 6),
                new Sysctl("net.ipv4.tcp_ecn", "2", "more.sh", 1),
                new Sysctl("net.ipv4.tcp_timestamps", "0", "t.pkt", 6)),
                interpret("./setup.sh\nsysctl -q net.ipv4.tcp_timestamps=0"));
        assertEquals(List.of(new Sysctl("net.ipv4.tcp_ecn", "2", "more.sh", 1)), interpret("bash more.sh"));
        assertEquals(List.of(new Unsupported("./loop.sh", "scripts calling each other in a loop", "loop.sh", 1)),
                interpret("./loop.sh"));
    }

    @Test
    void scriptsAreFoundRelativeToThePkt(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("defaults.sh"), "sysctl -q net.ipv4.tcp_sack=1\n");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/local.sh"), "../defaults.sh\n");
        assertEquals(List.of(new Sysctl("net.ipv4.tcp_sack", "1", "../defaults.sh", 1)),
                ShellCommands.inDirectory(dir.resolve("sub")).interpret("../defaults.sh", "x.pkt", 1));
        assertEquals(List.of(new Sysctl("net.ipv4.tcp_sack", "1", "defaults.sh", 1)),
                ShellCommands.inDirectory(dir).interpret("./defaults.sh", "x.pkt", 1));
        assertEquals(List.of(new Unsupported("./nope.sh", "no script nope.sh next to the .pkt", "x.pkt", 1)),
                ShellCommands.inDirectory(dir).interpret("./nope.sh", "x.pkt", 1));
    }

    @Test
    void shellArithmetic() {
        assertEquals(15728640, ShellArithmetic.evaluate("15*1024*1024"));
        assertEquals(-3, ShellArithmetic.evaluate("-(1+2)"));
        assertEquals(8 + 2, ShellArithmetic.evaluate("010 + 2"));
        assertEquals(7 % 3 + (6 >> 1) + (5 & 4), ShellArithmetic.evaluate("7 % 3 + (6 >> 1) + (5 & 4)"));
        assertEquals(1, ShellArithmetic.evaluate("!0"));
        assertThrows(IllegalArgumentException.class, () -> ShellArithmetic.evaluate("(".repeat(500) + "1"));
        assertThrows(IllegalArgumentException.class, () -> ShellArithmetic.evaluate("x + 1"));
    }

    /** Random mixes of shell pieces: items, never an exception. */
    @Test
    void garbageIsItemsNeverACrash() {
        String[] pieces = {"sysctl", "-q", "-w", "a.b=1", "net/ipv4/x=2", "\"", "'", "$((", "))", "$(", "${X}", "$X",
            "1+2", "*", ";", "&&", "||", "|", "&", ">", ">>", "2>&1", "/dev/null", "/proc/sys/a", "echo", "./setup.sh",
            "./loop.sh", "\\", "\n", "#", "(", ")", "`", "=", "set_sysctls.py", "/proc/sys/b=3", "bash", "."};
        Random random = new Random(3);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + random.nextInt(10);
            for (int i = 0; i < len; i++) {
                sb.append(pieces[random.nextInt(pieces.length)]).append(random.nextBoolean() ? " " : "");
            }
            try {
                interpret(sb.toString());
            } catch (RuntimeException e) {
                throw new AssertionError("crash on: " + sb, e);
            }
        }
    }
}
