package io.ustack.it.docker;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** On a failed test, prints each container's daemon log, `ip addr` and `ip route`. */
final class DiagnoseOnFailure implements TestWatcher {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (context.getTestInstance().orElse(null) instanceof ContainerScenario scenario) {
            for (UstackContainer c : scenario.containers()) {
                if (c != null) {
                    System.err.println(c.diagnostics());
                }
            }
        }
    }
}
