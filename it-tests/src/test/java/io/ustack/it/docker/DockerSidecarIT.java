package io.ustack.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ustack as a sidecar: the daemon in one container, the workload in a second that joins its network
 * namespace (`docker run --network container:DAEMON`) and reaches the stack over the TAP without any
 * capability of its own: ping, UDP echo, curl of the status page and a transfer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({DockerImages.class, DiagnoseOnFailure.class})
class DockerSidecarIT implements ContainerScenario {
    private static final String STACK = "10.77.0.2";
    private UstackContainer daemon;
    private UstackContainer workload;

    @BeforeAll
    void up(DaemonImage image) {
        String names = UstackContainer.uniquePrefix("sidecar");
        daemon = UstackContainer.daemon(image, names + "-ustack");
        daemon.up();
        workload = UstackContainer.sidecarOf(daemon, image, names + "-workload");
        workload.up();
    }

    @AfterAll
    void down() {
        // the workload first: it lives in the daemon container's namespace
        for (UstackContainer c : new UstackContainer[] {workload, daemon}) {
            if (c != null) {
                c.stop();
            }
        }
    }

    @Override
    public List<UstackContainer> containers() {
        return List.of(daemon, workload);
    }

    @Test
    void theWorkloadSeesTheDaemonsTap() {
        Exec addr = workload.exec("ip", "-o", "-4", "addr", "show", "dev", "tap0").ok();
        assertTrue(addr.output().contains("10.77.0.1/24"), addr.output());
    }

    @Test
    void pingFromTheWorkloadIsAnsweredByTheStack() {
        long before = daemon.stats().get("IcmpInEchos");
        Exec plain = workload.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", STACK);
        assertEquals(3, Ping.received(plain.output()), plain.output());
        Exec big = workload.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", "-s", "8000", STACK);
        assertEquals(2, Ping.received(big.output()), big.output());
        Map<String, Long> after = daemon.stats();
        assertTrue(after.get("IcmpInEchos") - before >= 5, "the daemon counted the workload's echoes: " + after);
    }

    @Test
    void udpEchoFromTheWorkloadAnswers() {
        Exec echo = workload.exec("sh", "-c", "echo hello-from-the-workload | nc -u -w 1 " + STACK + " 7");
        assertEquals("hello-from-the-workload", echo.output().trim(), "the built-in echo service on UDP port 7");
    }

    @Test
    void curlAndATransferFromTheWorkload() {
        TcpChecks.statusPageAndTransfers(workload, STACK, 20_000_000L, 5_000_000);
    }
}
