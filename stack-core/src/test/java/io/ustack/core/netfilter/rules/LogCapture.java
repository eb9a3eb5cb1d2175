package io.ustack.core.netfilter.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The lines LOG writes while it is open, each as "LEVEL message"; closing stops listening. */
final class LogCapture extends Handler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger("io.ustack.netfilter.LOG");

    final List<String> lines = new ArrayList<>();

    LogCapture() {
        LOG.addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        lines.add(r.getLevel() + " " + r.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        LOG.removeHandler(this);
    }
}
