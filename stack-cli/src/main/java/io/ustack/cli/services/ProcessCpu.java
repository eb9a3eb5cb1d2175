package io.ustack.cli.services;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time this process has used, user and system apart, as getrusage(RUSAGE_SELF) gives iperf3's
 * cpu_util: from utime and stime in /proc/self/stat (fields 14 and 15, in USER_HZ ticks, which Linux fixes
 * at 100 a second for user space whatever the kernel's HZ). Zero where there is no procfs.
 */
record ProcessCpu(long userNanos, long systemNanos) {
    private static final long NANOS_PER_TICK = 10_000_000L;

    static ProcessCpu now() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the command name (field 2) is in parentheses and may hold spaces: count fields after it
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new ProcessCpu(Long.parseLong(f[11]) * NANOS_PER_TICK, Long.parseLong(f[12]) * NANOS_PER_TICK);
        } catch (IOException | RuntimeException e) {
            return new ProcessCpu(0, 0);
        }
    }

    /**
     * iperf3's three cpu_util figures for the time since {@code start}: total, user and system, each in
     * percent of {@code wallNanos} (so a busy process on two cores reports up to 200).
     */
    double[] percentSince(ProcessCpu start, long wallNanos) {
        double wall = Math.max(wallNanos, 1);
        double user = (userNanos - start.userNanos) * 100.0 / wall;
        double system = (systemNanos - start.systemNanos) * 100.0 / wall;
        return new double[] {user + system, user, system};
    }
}
