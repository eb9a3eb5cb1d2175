package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.cli.testing.CommandRunner;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers out of range on the command line are usage errors: exit 2 and one sentence that names the flag in
 * its own unit, found before any daemon is asked (the control socket here leads nowhere).
 */
class UsageErrorsTest {
    @TempDir
    Path dir;

    private CommandRunner cli() {
        return new CommandRunner(dir.resolve("nobody.sock"));
    }

    private void usage(String sentence, String... args) {
        CommandRunner cli = cli();
        assertEquals(2, cli.run(args), cli.err());
        assertEquals("ustack: " + sentence + "\n", cli.err());
        assertEquals("", cli.out());
    }

    @Test
    void pingsFlagsInTheirOwnUnits() {
        usage("-i must be from 0.01 to 120 seconds, not 0.001", "ping", "-i", "0.001", "10.0.0.1");
        usage("-i must be from 0.01 to 120 seconds, not 500", "ping", "-i", "500", "10.0.0.1");
        usage("Invalid value for option '-i': 'NaN' is not a number", "ping", "-i", "NaN", "10.0.0.1");
        usage("Invalid value for option '-i': 'fast' is not a number", "ping", "-i", "fast", "10.0.0.1");
        usage("Invalid value for option '-c': '1.5' is not a whole number", "ping", "-c", "1.5", "10.0.0.1");
        usage("-c must be from 1 to 1000 requests, not 0", "ping", "-c", "0", "10.0.0.1");
        usage("-s must be from 0 to 65507 bytes, not 70000", "ping", "-s", "70000", "10.0.0.1");
        usage("-s must be from 0 to 65527 bytes, not 70000", "ping", "-s", "70000", "fd00:77::2");
        usage("-4 and -6 exclude each other", "ping", "-4", "-6", "fd00:77::2");
        usage("-W must be from 0.001 to 120 seconds, not 0", "ping", "-W", "0", "10.0.0.1");
        usage("-c 100 -i 2 -W 10 would take 208 seconds, and a ping may take at most 120 ((N - 1) x interval + timeout)",
                "ping", "-c", "100", "-i", "2", "10.0.0.1");
    }

    @Test
    void capturesFlagsInTheirOwnUnits() {
        usage("--seconds must be from 1 to 3600 seconds, not 0", "capture", "-i", "tap0", "--seconds", "0", "-w", "/tmp/x");
        usage("--seconds must be from 1 to 3600 seconds, not 7200", "capture", "-i", "tap0", "--seconds", "7200", "-w", "/tmp/x");
        usage("-c must be 0 (no limit) or more frames, not -1", "capture", "-i", "tap0", "-c", "-1", "-w", "/tmp/x");
    }

    @Test
    void aDhcpPoolOffTheNetworkIsAUsageError() {
        usage("--iface 'tapL,addr=10.1.0.1/24,dhcp=10.2.0.100-10.2.0.199': dhcp=10.2.0.100-10.2.0.199 is not inside "
                + "the interface's network 10.1.0.0/24", "daemon", "--iface", "tapL,addr=10.1.0.1/24,dhcp=10.2.0.100-10.2.0.199");
        usage("--iface 'tapL,addr=10.1.0.1/24,dhcp=10.1.0.1-10.1.0.9': dhcp=10.1.0.1-10.1.0.9 holds the interface's "
                + "own address 10.1.0.1", "daemon", "--iface", "tapL,addr=10.1.0.1/24,dhcp=10.1.0.1-10.1.0.9");
    }

    @Test
    void aValueInRangeGoesToTheDaemon() {
        CommandRunner cli = cli();
        assertEquals(1, cli.run("ping", "-i", "0.2", "-c", "2", "10.0.0.1"));
        assertEquals("ustack: cannot reach the daemon at " + dir.resolve("nobody.sock")
                + ": is 'ustack daemon' running?\n", cli.err());
    }
}
