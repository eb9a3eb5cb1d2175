package io.ustack.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The daemon stopped and started again inside one container, as a supervisor would: whether it dies by
 * SIGKILL or leaves on SIGTERM, no TAP stays behind and the next daemon answers at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith({DockerImages.class, DiagnoseOnFailure.class})
class DockerRestartIT implements ContainerScenario {
    private static final String STACK = "10.77.0.2";
    private UstackContainer box;

    @BeforeAll
    void up(DaemonImage image) {
        String names = UstackContainer.uniquePrefix("restart");
        box = UstackContainer.idle(image, names + "-box");
        box.up();
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

    private void assertAnswers() {
        Exec ping = box.exec("ping", "-c", "2", "-i", "0.2", "-W", "2", STACK);
        assertEquals(2, Ping.received(ping.output()), ping.output());
    }

    @Test
    @Order(1)
    void afterSigkillNoTapIsLeftAndANewDaemonAnswers() throws Exception {
        box.startDaemon();
        assertAnswers();
        assertEquals(128 + 9, box.signalDaemon("KILL"));
        // the kernel removes a non-persistent TAP when its last file descriptor closes, here at the kill
        assertFalse(box.hasLink("tap0"), "no TAP left behind after SIGKILL");
        box.startDaemon();
        assertAnswers();
    }

    @Test
    @Order(2)
    void sigtermEndsTheDaemonCleanlyAndItStartsAgain() throws Exception {
        assertEquals(0, box.signalDaemon("TERM"), box.daemonLog());
        assertFalse(box.hasLink("tap0"), "the daemon removed its TAP");
        box.startDaemon();
        assertAnswers();
        assertEquals(2L, box.stats().get("IcmpInEchos"), "a fresh daemon counts from zero");
    }
}
