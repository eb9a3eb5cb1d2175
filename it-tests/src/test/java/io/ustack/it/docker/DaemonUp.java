package io.ustack.it.docker;

import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Waits for the daemon's "ustack: up:" line. Unlike a log-message wait, a daemon that exits first (a bad
 * flag, no /dev/net/tun) fails the start at once, with its log, instead of after the whole timeout.
 */
final class DaemonUp extends AbstractWaitStrategy {
    @Override
    protected void waitUntilReady() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        while (true) {
            String log = waitStrategyTarget.getLogs();
            if (log.contains("ustack: up:")) {
                return;
            }
            if (!waitStrategyTarget.isRunning()) {
                throw new ContainerLaunchException("the daemon exited before coming up; its log:\n" + log);
            }
            if (System.nanoTime() > deadline) {
                throw new ContainerLaunchException("the daemon did not come up within " + startupTimeout.toSeconds()
                        + " s; its log:\n" + log);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerLaunchException("interrupted waiting for the daemon", e);
            }
        }
    }
}
