package io.ustack.cli.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's effective user id, which the JDK has no direct call for. */
public final class Uid {
    private Uid() {
    }

    /**
     * The owner of /proc/self, which procfs sets to the process's effective uid. Reading it avoids both
     * native code and com.sun.security.auth.module.UnixSystem's extra JDK module.
     */
    public static int current() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of /proc/self to learn this process's uid", e);
        }
    }
}
