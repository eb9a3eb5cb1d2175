package io.ustack.cli.packetdrill;

import io.ustack.core.wire.Ipv4Address;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code ustack packetdrill} runs: each script in turn against a fresh stack, packetdrill's messages on
 * a failure, and a line per script saying how it ended.
 */
public final class Packetdrill {
    /** Every script passed. */
    public static final int EXIT_PASSED = 0;
    /** A script failed (or could not be read or parsed). */
    public static final int EXIT_FAILED = 1;
    /** None failed, but one needs what this runner or stack does not have (kselftest's "skip" status). */
    public static final int EXIT_UNSUPPORTED = 4;

    /** The settings a command line gives; null fields keep the script's own or packetdrill's defaults. */
    public record Settings(Long toleranceUsecs, Double tolerancePercent, String localIp, String remoteIp,
                           String netmask, Integer mtu, Map<String, String> defines, boolean dryRun, boolean verbose) {
    }

    private Packetdrill() {
    }

    /** Runs {@code scripts}; returns the exit status ({@link #EXIT_PASSED} only when every one passed). */
    public static int run(List<Path> scripts, Settings settings, PrintStream out, PrintStream err) {
        int passed = 0;
        int failed = 0;
        int unsupported = 0;
        for (Path path : scripts) {
            Runner.Result r = runOne(path, settings);
            if (settings.verbose()) {
                r.notes().forEach(n -> err.println("note: " + n));
            } else if (!r.notes().isEmpty()) {
                err.println("note: " + path + ": " + r.notes().size() + " settings or commands not applied (-v lists them)");
            }
            switch (r.verdict()) {
                case PASSED -> {
                    passed++;
                    out.println("PASS " + path);
                }
                case FAILED -> {
                    failed++;
                    err.println(r.message());
                    out.println("FAIL " + path);
                }
                case UNSUPPORTED -> {
                    unsupported++;
                    err.println(r.message());
                    out.println("UNSUPPORTED " + path);
                }
            }
        }
        if (scripts.size() > 1) {
            out.println(passed + " passed, " + failed + " failed, " + unsupported + " unsupported");
        }
        return failed > 0 ? EXIT_FAILED : unsupported > 0 ? EXIT_UNSUPPORTED : EXIT_PASSED;
    }

    static Runner.Result runOne(Path path, Settings settings) {
        Script script;
        try {
            script = Parser.parseFile(path, settings.defines());
        } catch (ScriptError e) {
            return new Runner.Result(Runner.Verdict.FAILED, e.getMessage(), List.of());
        } catch (IOException e) {
            return new Runner.Result(Runner.Verdict.FAILED, path + ": cannot read the script: " + e.getMessage(), List.of());
        }
        RunConfig config;
        try {
            config = configFor(script, settings);
        } catch (IllegalArgumentException e) {
            return new Runner.Result(Runner.Verdict.FAILED, path + ": " + e.getMessage(), List.of());
        }
        if (settings.dryRun()) {
            return new Runner.Result(Runner.Verdict.PASSED, null, List.of());
        }
        Path dir = path.toAbsolutePath().getParent();
        return new Runner(script, config, dir).run();
    }

    /** The script's own {@code --name=value} lines, then the command line's, over packetdrill's defaults. */
    static RunConfig configFor(Script script, Settings s) {
        RunConfig c = RunConfig.defaults();
        Long tol = s.toleranceUsecs() != null ? s.toleranceUsecs() : longOption(script, "tolerance_usecs");
        if (tol != null) {
            c = c.withToleranceUsecs(tol);
        }
        String pct = script.option("tolerance_percent");
        if (s.tolerancePercent() != null) {
            c = c.withTolerancePercent(s.tolerancePercent());
        } else if (pct != null) {
            c = c.withTolerancePercent(Double.parseDouble(pct));
        }
        String ipVersion = script.option("ip_version");
        if (ipVersion != null && !ipVersion.equals("ipv4")) {
            throw new IllegalArgumentException("--ip_version=" + ipVersion + ": only ipv4 is supported");
        }
        String local = s.localIp() != null ? s.localIp() : script.option("local_ip");
        String remote = s.remoteIp() != null ? s.remoteIp() : script.option("remote_ip");
        String mask = s.netmask() != null ? s.netmask() : script.option("netmask_ip");
        if (local != null || remote != null || mask != null) {
            c = c.withAddresses(local != null ? Ipv4Address.parse(local) : c.localIp(),
                    remote != null ? Ipv4Address.parse(remote) : c.remoteIp(),
                    mask != null ? Integer.bitCount(Ipv4Address.parse(mask)) : c.prefixLen());
        }
        Integer mtu = s.mtu() != null ? s.mtu() : (script.option("mtu") != null ? Integer.valueOf(script.option("mtu")) : null);
        if (mtu != null) {
            c = c.withMtu(mtu);
        }
        return c;
    }

    private static Long longOption(Script script, String name) {
        String v = script.option(name);
        return v == null ? null : Long.valueOf(v);
    }
}
