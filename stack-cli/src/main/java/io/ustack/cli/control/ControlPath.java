package io.ustack.cli.control;

import io.ustack.cli.UserException;
import java.nio.file.Path;
import java.util.Map;

/** Where the control socket is: the one rule shared by the daemon and every client command. */
public final class ControlPath {
    public static final String FILE_NAME = "ustack.sock";
    /** Root's default: /run is the FHS place for runtime sockets of system daemons. */
    public static final String ROOT_DEFAULT = "/run/ustack/" + FILE_NAME;
    /** Overrides the default (but not an explicit --control), e.g. for a test harness. */
    public static final String ENV = "USTACK_CONTROL";

    private ControlPath() {
    }

    /**
     * The control socket path, in order of precedence: {@code explicit} (--control), {@code $USTACK_CONTROL},
     * {@value #ROOT_DEFAULT} for uid 0, {@code $XDG_RUNTIME_DIR/ustack.sock} (the per-user runtime directory,
     * mode 0700) for anyone else. Relative paths are made absolute, so the "up" line and errors show where.
     *
     * @throws UserException if none applies: a non-root user without XDG_RUNTIME_DIR
     */
    public static Path resolve(String explicit, Map<String, String> env, int uid) {
        if (explicit != null) {
            return absolute(explicit);
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return absolute(fromEnv);
        }
        if (uid == 0) {
            return Path.of(ROOT_DEFAULT);
        }
        String runtimeDir = env.get("XDG_RUNTIME_DIR");
        if (runtimeDir != null && !runtimeDir.isEmpty()) {
            return absolute(runtimeDir).resolve(FILE_NAME);
        }
        throw new UserException("there is no default control socket for a non-root user without XDG_RUNTIME_DIR; "
                + "pass --control PATH or set " + ENV);
    }

    private static Path absolute(String path) {
        return Path.of(path).toAbsolutePath().normalize();
    }
}
