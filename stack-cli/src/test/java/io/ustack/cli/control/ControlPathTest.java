package io.ustack.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ustack.cli.UserException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlPathTest {
    private static final Map<String, String> XDG = Map.of("XDG_RUNTIME_DIR", "/run/user/1000");

    @Test
    void rootUsesRun() {
        assertEquals(Path.of("/run/ustack/ustack.sock"), ControlPath.resolve(null, XDG, 0));
    }

    @Test
    void otherUsersUseTheirRuntimeDirectory() {
        assertEquals(Path.of("/run/user/1000/ustack.sock"), ControlPath.resolve(null, XDG, 1000));
    }

    @Test
    void theEnvironmentOverridesTheDefault() {
        Map<String, String> env = Map.of("XDG_RUNTIME_DIR", "/run/user/1000", "USTACK_CONTROL", "/tmp/u.sock");
        assertEquals(Path.of("/tmp/u.sock"), ControlPath.resolve(null, env, 0));
        assertEquals(Path.of("/tmp/u.sock"), ControlPath.resolve(null, env, 1000));
    }

    @Test
    void anEmptyEnvironmentVariableIsNotSet() {
        assertEquals(Path.of("/run/ustack/ustack.sock"), ControlPath.resolve(null, Map.of("USTACK_CONTROL", ""), 0));
    }

    @Test
    void theOptionOverridesBoth() {
        Map<String, String> env = Map.of("USTACK_CONTROL", "/tmp/u.sock");
        assertEquals(Path.of("/srv/x.sock"), ControlPath.resolve("/srv/x.sock", env, 0));
    }

    @Test
    void relativePathsAreMadeAbsolute() {
        assertEquals(Path.of("").toAbsolutePath().resolve("x.sock"), ControlPath.resolve("./x.sock", Map.of(), 0));
    }

    @Test
    void aUserWithoutRuntimeDirectoryIsToldWhatToDo() {
        assertEquals("there is no default control socket for a non-root user without XDG_RUNTIME_DIR; "
                        + "pass --control PATH or set USTACK_CONTROL",
                assertThrows(UserException.class, () -> ControlPath.resolve(null, Map.of(), 1000)).getMessage());
    }
}
