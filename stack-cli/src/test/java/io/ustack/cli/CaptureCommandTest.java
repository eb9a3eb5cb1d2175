package io.ustack.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.cli.testing.CommandRunner;
import org.junit.jupiter.api.Test;

/** ustack capture's command line: -Q takes tcpdump's three directions, anything else is a usage error. */
class CaptureCommandTest {
    private final CommandRunner cli = new CommandRunner(null);

    @Test
    void aBadDirectionIsOneSentenceAndExitCode2() {
        assertEquals(2, cli.run("capture", "-i", "tap0", "-Q", "both", "-w", "/tmp/x.pcap"));
        assertEquals("ustack: -Q must be in, out or inout, not both\n", cli.err());
    }
}
