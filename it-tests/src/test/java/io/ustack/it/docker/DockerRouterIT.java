package io.ustack.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ustack as a router inside one container: the daemon with two TAPs and --forward, a client namespace on
 * each side (left 10.1.0.2, right 10.2.0.2, the stack at 10.1.0.1 and 10.2.0.1), which reach each other only
 * through it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({DockerImages.class, DiagnoseOnFailure.class})
class DockerRouterIT implements ContainerScenario {
    private UstackContainer box;
    private InnerNetNs left;
    private InnerNetNs right;

    @BeforeAll
    void up(DaemonImage image) throws Exception {
        box = UstackContainer.idle(image, UstackContainer.uniquePrefix("router") + "-box").withNetnsSupport();
        box.up();
        box.startDaemon("--iface", "tapl,addr=10.1.0.1/24", "--iface", "tapr,addr=10.2.0.1/24", "--forward");
        left = InnerNetNs.hostOn(box, "left", "tapl", "10.1.0.2/24", "10.1.0.1");
        right = InnerNetNs.hostOn(box, "right", "tapr", "10.2.0.2/24", "10.2.0.1");
    }

    @AfterAll
    void down() {
        if (box != null) {
            box.stop();
        }
    }

    @Override
    public List<UstackContainer> containers() {
        return List.of(box);
    }

    private String report(Exec failed) {
        return failed.output() + "\n" + left.diagnostics() + right.diagnostics();
    }

    @Test
    void pingCrossesTheRouterBothWays() {
        long before = box.stats().get("IpForwDatagrams");
        Exec there = left.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.2.0.2");
        assertEquals(3, Ping.received(there.output()), report(there));
        assertTrue(there.output().contains("ttl=63"), "one router hop on the way back: " + there.output());
        Exec back = right.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "10.1.0.2");
        assertEquals(2, Ping.received(back.output()), report(back));
        assertTrue(box.stats().get("IpForwDatagrams") - before >= 10, "3 + 2 requests and their replies forwarded");
    }

    @Test
    void tracerouteShowsTheStackAsTheOneHop() {
        // one probe at a time (-N 1): sent together, the probes cross the stack's backlog threads in any
        // order (RPS hashes each probe's ports to its own flow), and the right host answers only the first
        // six with port unreachable (Linux's per-destination ICMP rate limit), so hop 2 could be lost
        Exec trace = left.exec("traceroute", "-n", "-q", "1", "-N", "1", "-w", "2", "-m", "5", "10.2.0.2");
        assertEquals(0, trace.exit(), report(trace));
        assertTrue(trace.output().matches("(?s).*\\n\\s*1\\s+10\\.1\\.0\\.1\\s.*\\n\\s*2\\s+10\\.2\\.0\\.2\\s.*"),
                "hop 1 the stack, hop 2 the right host:\n" + trace.output());
    }
}
