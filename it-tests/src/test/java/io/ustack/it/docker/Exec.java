package io.ustack.it.docker;

/** What a command run inside a container printed (stdout then stderr) and its exit code. */
record Exec(int exit, String output) {

    /** Throws with the command's output unless it exited 0. */
    Exec ok() {
        if (exit != 0) {
            throw new AssertionError("command failed (exit " + exit + "): " + output);
        }
        return this;
    }
}
