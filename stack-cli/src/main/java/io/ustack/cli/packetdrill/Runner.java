package io.ustack.cli.packetdrill;

import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.socket.Errno;
import io.ustack.core.socket.ErrnoException;
import io.ustack.core.stack.Sysctl;
import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs one parsed script against a fresh {@link ScriptStack}, as packetdrill's run_script runs one against the
 * kernel, on virtual time: the clock moves to each event's time (stopping at every timer on the way), inbound
 * packets are injected, outbound ones taken from the device and checked, system calls made on a thread of
 * their own, backtick commands read for their sysctls, and {@code %{ }%} snippets evaluated at the end on the
 * tcp_info taken at their time. The first error ends the run, with packetdrill's message.
 */
final class Runner implements Syscalls.Listener {
    /** How far past its expected time the clock moves looking for an outbound packet that has not come. */
    private static final long ANY_TIME_HORIZON_USECS = 600_000_000L;
    /** Real time a system call may take to return or fall asleep before the run gives up on it. */
    private static final long SETTLE_SECONDS = 30;
    private static final int FIRST_REMOTE_PORT = 40_000;

    /** How a script ended. */
    enum Verdict {
        PASSED, FAILED, UNSUPPORTED
    }

    record Result(Verdict verdict, String message, List<String> notes) {
    }

    /** Ends the run: a failure, or something this runner cannot do. */
    private static final class Stop extends Exception {
        final Verdict verdict;

        Stop(Verdict verdict, String message) {
            super(message, null, false, false);
            this.verdict = verdict;
        }
    }

    private final Script script;
    private final RunConfig config;
    private final ShellCommands shell;
    private final List<String> notes = new ArrayList<>();
    private final ExecutorService syscallThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "packetdrill-syscall");
        t.setDaemon(true);
        return t;
    });
    private ScriptStack live;
    private Syscalls syscalls;
    private Connection conn;
    private int listeningFd = -1;
    private int connectingFd = -1;
    /** The descriptor tcp_info is read from: the connection last accepted or connected. */
    private int socketUnderTest = -1;
    private int nextRemotePort = FIRST_REMOTE_PORT;
    private Blocked blocked;
    private final List<CodeSnapshot> code = new ArrayList<>();

    /** A call marked {@code ...END} in progress on the syscall thread. */
    private record Blocked(Event event, Action.Syscall call, Future<Syscalls.Outcome> outcome, long endUsecs,
                           long[] returnedAtUsecs) {
    }

    private record CodeSnapshot(Action.Code code, Map<String, Long> names) {
    }

    Runner(Script script, RunConfig config, Path directory) {
        this.script = script;
        this.config = config;
        this.shell = ShellCommands.inDirectory(directory);
    }

    Result run() {
        try (ScriptStack s = new ScriptStack(config)) {
            live = s;
            syscalls = new Syscalls(s.sockets, config, this);
            if (script.init() != null) {
                command(script.init());
            }
            runEvents();
            if (blocked != null) {
                settle();
                if (!blocked.outcome().isDone()) {
                    throw new Stop(Verdict.FAILED, script.path() + ":" + blocked.event().line()
                            + ": runtime error: exiting while a blocking system call is in progress");
                }
                finishBlocked();
            }
            if (script.cleanup() != null) {
                command(script.cleanup());
            }
            runCode();
            return new Result(Verdict.PASSED, null, notes);
        } catch (Stop e) {
            return new Result(e.verdict, e.getMessage(), notes);
        } catch (IOException e) {
            return new Result(Verdict.FAILED, script.path() + ": could not set up the stack: " + e.getMessage(), notes);
        } finally {
            syscallThread.shutdownNow();
        }
    }

    private void runEvents() throws Stop {
        long prevScheduled = 0;
        boolean prevInbound = false;
        boolean first = true;
        for (Event ev : script.events()) {
            boolean inbound = ev.action() instanceof Action.Packet p && p.spec().direction() == PacketSpec.Direction.INBOUND;
            long base = inbound && prevInbound ? prevScheduled : live.nowUsecs();
            long start = start(ev.time(), base);
            long end = end(ev.time(), base, start);
            long tolerance = tolerance(start, prevScheduled);
            Action action = ev.action();
            if (action instanceof Action.Packet p && inbound) {
                waitFor(ev, start, tolerance, "inbound packet", first);
                inject(ev, p.spec());
            } else if (action instanceof Action.Packet p) {
                expect(ev, p.spec(), start, end, tolerance);
            } else if (action instanceof Action.Syscall c) {
                syscall(ev, c, start, base, tolerance, first);
            } else if (action instanceof Action.Command c) {
                waitFor(ev, start, tolerance, "command", first);
                command(c);
            } else if (action instanceof Action.Code c) {
                waitFor(ev, start, tolerance, "data collection for code", first);
                code.add(new CodeSnapshot(c, tcpInfo(ev)));
            }
            checkBlocked();
            prevScheduled = ev.time().kind() == EventTime.Kind.ANY ? live.nowUsecs() : start;
            prevInbound = inbound;
            first = false;
        }
    }

    // ---- time ----

    private static long start(EventTime t, long base) {
        return switch (t.kind()) {
            case ABSOLUTE, ABSOLUTE_RANGE -> t.usecs();
            case RELATIVE, RELATIVE_RANGE -> base + t.usecs();
            case ANY -> -1;
        };
    }

    private static long end(EventTime t, long base, long start) {
        return switch (t.kind()) {
            case ABSOLUTE_RANGE -> t.endUsecs();
            case RELATIVE_RANGE -> base + t.endUsecs();
            default -> start;
        };
    }

    /** verify_time's tolerance: --tolerance_usecs, or a share of the time since the previous event if more. */
    private long tolerance(long start, long prevScheduled) {
        long share = start < 0 ? 0 : (long) ((start - prevScheduled) * config.tolerancePercent() / 100.0);
        return Math.max(config.toleranceUsecs(), share);
    }

    /** wait_for_event and check_event_time: the clock moves to {@code start}; one already past it is late. */
    private void waitFor(Event ev, long start, long tolerance, String what, boolean first) throws Stop {
        if (start < 0) {
            return;
        }
        if (start > live.nowUsecs()) {
            live.advanceTo(start);
            settle();
        }
        long now = live.nowUsecs();
        if (!first && Math.abs(now - start) > tolerance) {
            throw new Stop(Verdict.FAILED, at(ev) + timing(what, start, now, tolerance));
        }
    }

    private static String timing(String what, long expected, long actual, long tolerance) {
        return String.format(Locale.ROOT, "timing error: expected %s at %.6f sec but happened at %.6f sec; tolerance %.6f sec",
                what, expected / 1e6, actual / 1e6, tolerance / 1e6);
    }

    private String at(Event ev) {
        return script.path() + ":" + ev.line() + ": ";
    }

    // ---- packets ----

    private void inject(Event ev, PacketSpec spec) throws Stop {
        if (!spec.outer().isEmpty()) {
            throw new Stop(Verdict.UNSUPPORTED, at(ev) + "encapsulated packets are not supported");
        }
        byte[] ip;
        try {
            if (spec.transport() instanceof PacketSpec.Tcp t) {
                if (t.has('S') && !t.has('.')) {
                    passiveSyn(ev, t);
                }
                Connection c = connection(ev);
                if (t.has('S')) {
                    c.remoteIsn = t.seqStart();
                }
                ip = InboundPacket.tcp(spec, t, c, config.remoteIp(), config.localIp());
            } else if (spec.transport() instanceof PacketSpec.Udp u) {
                Connection c = connection(ev);
                int sport = u.ports() != null ? u.ports().src() : c.remotePort;
                int dport = u.ports() != null ? u.ports().dst() : c.localPort;
                ip = InboundPacket.udp(spec, u, sport, dport, config.remoteIp(), config.localIp());
            } else {
                ip = InboundPacket.icmp(spec, (PacketSpec.Icmp) spec.transport(), connection(ev), config.remoteIp(),
                        config.localIp());
            }
        } catch (InboundPacket.Unbuildable e) {
            throw new Stop(Verdict.FAILED, at(ev) + "error handling packet: " + e.getMessage());
        }
        live.dev.inject(ip, pkt -> { });
        settle();
    }

    /** A SYN from the script for a listener: a new connection from a new remote port (a new child). */
    private void passiveSyn(Event ev, PacketSpec.Tcp t) throws Stop {
        if (listeningFd < 0 && conn != null) {
            return; // a SYN for a connection that exists: a retransmission, a simultaneous open
        }
        int remotePort = t.ports() != null ? t.ports().src() : nextRemotePort++;
        conn = new Connection(config.bindPort(), remotePort);
    }

    private Connection connection(Event ev) throws Stop {
        if (conn == null) {
            throw new Stop(Verdict.FAILED, at(ev) + "error handling packet: no matching socket for script packet");
        }
        return conn;
    }

    /**
     * An outbound line: the next packet the stack sent, waiting on the virtual clock (timers running) up to the
     * latest time the line allows if none has been sent yet; then its fields and its time.
     */
    private void expect(Event ev, PacketSpec spec, long start, long end, long tolerance) throws Stop {
        long horizon = start < 0 ? live.nowUsecs() + ANY_TIME_HORIZON_USECS : end + tolerance;
        ScriptDevice.Sent sent = nextSent(horizon);
        if (sent == null) {
            throw new Stop(Verdict.FAILED, at(ev) + "error handling packet: expected outbound packet but none was sent by "
                    + String.format(Locale.ROOT, "%.6f sec", horizon / 1e6) + "\nscript packet: "
                    + String.format(Locale.ROOT, "%9.6f ", Math.max(start, 0) / 1e6) + OutboundCheck.dump(spec));
        }
        LivePacket p = LivePacket.decode(sent.ip());
        if (p == null) {
            throw new Stop(Verdict.FAILED, at(ev) + "error handling packet: the stack sent a packet that is not IPv4");
        }
        Connection c = conn;
        if (spec.transport() instanceof PacketSpec.Tcp t && p.tcp() != null) {
            c = learn(ev, t, p);
            p = aggregate(ev, t, p, horizon);
            if (p.tcp().payload() != t.payload()) {
                throw new Stop(Verdict.FAILED, at(ev) + "error handling packet: live packet payload: expected "
                        + t.payload() + " bytes vs actual " + p.tcp().payload() + " bytes");
            }
        }
        if (c == null) {
            throw new Stop(Verdict.FAILED, at(ev) + "error handling packet: no matching socket for script packet");
        }
        long sentAt = ScriptStack.usecsOf(sent.atNanos());
        String mismatch = OutboundCheck.verify(spec, p, c);
        if (mismatch == null && start >= 0 && (sentAt < start - tolerance || sentAt > end + tolerance)) {
            mismatch = start == end ? timing("outbound packet", start, sentAt, tolerance)
                    : String.format(Locale.ROOT, "timing error: expected outbound packet in time range %.6f~%.6f sec but happened at %.6f sec",
                            start / 1e6, end / 1e6, sentAt / 1e6);
        }
        if (mismatch != null) {
            throw new Stop(Verdict.FAILED, at(ev) + "error handling packet: " + mismatch + "\n"
                    + String.format(Locale.ROOT, "script packet: %9.6f ", Math.max(start, 0) / 1e6) + OutboundCheck.dump(spec) + "\n"
                    + String.format(Locale.ROOT, "actual packet: %9.6f ", sentAt / 1e6) + OutboundCheck.dump(p, c));
        }
        if (spec.transport() instanceof PacketSpec.Tcp t && t.options() != null && p.tcp() != null) {
            rememberTimestamps(t, p.tcp(), c);
        }
    }

    /**
     * The next packet the stack sends, moving the clock on (timers running) up to {@code horizon} if it has
     * sent none yet; null when none comes by then.
     */
    private ScriptDevice.Sent nextSent(long horizon) throws Stop {
        ScriptDevice.Sent sent = live.dev.poll();
        while (sent == null && live.nowUsecs() < horizon) {
            long next = live.stack.earliestTimerDeadline();
            long to = next == Long.MAX_VALUE ? horizon
                    : Math.min(horizon, Math.max(ScriptStack.usecsOf(next), live.nowUsecs() + 1));
            live.advanceTo(to);
            settle();
            sent = live.dev.poll();
        }
        return sent;
    }

    /**
     * packetdrill's default (no --strict_segments): segments that together carry what one script line
     * expects count as that line, as long as each follows the one before it in sequence and all but the
     * last are the same size; PSH and FIN are taken from any of them. A gap or a different size ends the
     * gathering, and the payload check then says what is missing.
     */
    private LivePacket aggregate(Event ev, PacketSpec.Tcp t, LivePacket first, long horizon) throws Stop {
        LivePacket.Tcp f = first.tcp();
        int total = f.payload();
        int flags = f.flags();
        int size = f.payload();
        long nextSeq = f.seq() + f.payload();
        while (total < t.payload() && size > 0) {
            ScriptDevice.Sent more = nextSent(horizon);
            LivePacket m = more == null ? null : LivePacket.decode(more.ip());
            if (m == null || m.tcp() == null || m.tcp().seq() != (nextSeq & 0xffff_ffffL)
                    || (m.tcp().flags() & ~0x09) != (f.flags() & ~0x09) || m.tcp().payload() > size) {
                if (more != null) {
                    live.dev.pushBack(more);
                }
                break;
            }
            total += m.tcp().payload();
            flags |= m.tcp().flags() & 0x09;
            nextSeq += m.tcp().payload();
            if (m.tcp().payload() < size) {
                break; // a short one ends a run of equal segments
            }
        }
        if (total == f.payload()) {
            return first;
        }
        LivePacket.Tcp merged = new LivePacket.Tcp(f.sport(), f.dport(), f.seq(), f.ack(), flags, f.window(), f.urgent(),
                f.headerLength(), f.options(), total);
        return new LivePacket(first.tos(), first.ttl(), first.id(), first.df(), first.protocol(), first.src(), first.dst(),
                first.totalLength() + total - f.payload(), first.headerChecksumOk(), merged, null, null);
    }

    /** The stack's SYN or SYN-ACK names the connection's ports (active side) and its ISN. */
    private Connection learn(Event ev, PacketSpec.Tcp t, LivePacket p) {
        LivePacket.Tcp lt = p.tcp();
        if (lt.has(0x02)) {
            if (!lt.has(0x10) && connectingFd >= 0 && (conn == null || conn.localPort != lt.sport())) {
                conn = new Connection(lt.sport(), lt.dport());
            }
            if (conn != null) {
                conn.scriptLocalIsn = t.seqStart();
                if (!conn.localIsnKnown) {
                    conn.liveLocalIsn = lt.seq();
                    conn.localIsnKnown = true;
                }
            }
        }
        return conn;
    }

    private static void rememberTimestamps(PacketSpec.Tcp t, LivePacket.Tcp lt, Connection c) {
        TcpOption.Timestamp want = null;
        for (TcpOption o : t.options()) {
            if (o instanceof TcpOption.Timestamp ts) {
                want = ts;
            }
        }
        for (TcpOption o : lt.options()) {
            if (o instanceof TcpOption.Timestamp got && want != null) {
                c.rememberTsVal(want.val(), got.val());
            }
        }
    }

    // ---- system calls ----

    private void syscall(Event ev, Action.Syscall call, long start, long base, long tolerance, boolean first) throws Stop {
        waitFor(ev, start, tolerance, "system call start", first);
        if (call.blocking() && blocked != null) {
            throw new Stop(Verdict.FAILED, at(ev) + "blocking system call while another blocking system call is already in progress");
        }
        long[] returnedAt = {-1};
        Future<Syscalls.Outcome> f = syscallThread.submit(() -> {
            try {
                return syscalls.run(call);
            } finally {
                returnedAt[0] = live.nowUsecs();
            }
        });
        settle(f);
        if (call.blocking()) {
            long endUsecs = ev.time().kind() == EventTime.Kind.ABSOLUTE ? call.endUsecs() : base + call.endUsecs();
            blocked = new Blocked(ev, call, f, endUsecs, returnedAt);
            checkBlocked();
            return;
        }
        if (!f.isDone()) {
            throw new Stop(Verdict.FAILED, at(ev) + "runtime error in " + call.name()
                    + " call: it blocked; a call expected to block is written with ...END");
        }
        check(ev, call, outcome(ev, f));
    }

    /** A blocking call that has returned is checked: its result and when it returned. */
    private void checkBlocked() throws Stop {
        if (blocked != null && blocked.outcome().isDone()) {
            finishBlocked();
        }
    }

    private void finishBlocked() throws Stop {
        Blocked b = blocked;
        blocked = null;
        Syscalls.Outcome o = outcome(b.event(), b.outcome());
        long tolerance = config.toleranceUsecs();
        long returned = b.returnedAtUsecs()[0];
        if (Math.abs(returned - b.endUsecs()) > tolerance) {
            throw new Stop(Verdict.FAILED, at(b.event()) + timing("system call return", b.endUsecs(), returned, tolerance));
        }
        check(b.event(), b.call(), o);
    }

    private Syscalls.Outcome outcome(Event ev, Future<Syscalls.Outcome> f) throws Stop {
        try {
            return f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Syscalls.Unsupported u) {
                throw new Stop(Verdict.UNSUPPORTED, at(ev) + u.getMessage());
            }
            if (e.getCause() instanceof Syscalls.BadCall bad) {
                throw new Stop(Verdict.FAILED, at(ev) + "runtime error in call: " + bad.getMessage());
            }
            throw new Stop(Verdict.FAILED, at(ev) + "runtime error: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stop(Verdict.FAILED, at(ev) + "interrupted");
        }
    }

    /** end_syscall: the result, the errno, then what the call checked itself. */
    private void check(Event ev, Action.Syscall call, Syscalls.Outcome o) throws Stop {
        String prefix = at(ev) + "runtime error in " + call.name() + " call: ";
        long want;
        try {
            want = Syscalls.integer(call.result());
        } catch (Syscalls.Unsupported e) {
            throw new Stop(Verdict.UNSUPPORTED, at(ev) + e.getMessage());
        } catch (Syscalls.BadCall e) {
            throw new Stop(Verdict.FAILED, prefix + e.getMessage());
        }
        boolean makesFd = switch (call.name()) {
            case "socket", "accept", "accept4", "epoll_create", "epoll_create1" -> true;
            default -> false;
        };
        if (makesFd && want >= 0) {
            if (o.result() < 0) {
                throw new Stop(Verdict.FAILED, prefix + "Expected non-negative result but got " + o.result()
                        + errnoText(o.errno()));
            }
            syscalls.mapFd(want, (int) o.result());
        } else if (o.result() != want) {
            throw new Stop(Verdict.FAILED, prefix + "Expected result " + want + " but got " + o.result() + errnoText(o.errno()));
        }
        if (call.errno() != null) {
            Errno expected = Errno.named(call.errno());
            if (expected == null) {
                throw new Stop(Verdict.UNSUPPORTED, at(ev) + "unknown errno " + call.errno());
            }
            if (expected != o.errno()) {
                int got = o.errno() == null ? 0 : o.errno().number();
                String gotText = o.errno() == null ? "Success" : o.errno().message();
                throw new Stop(Verdict.FAILED, prefix + "Expected errno " + expected.number() + " (" + expected.message()
                        + ") but got " + got + " (" + gotText + ")");
            }
        }
        if (o.afterCheck() != null) {
            throw new Stop(Verdict.FAILED, prefix + o.afterCheck());
        }
    }

    private static String errnoText(Errno e) {
        return e == null ? " with errno 0 (Success)" : " with errno " + e.number() + " (" + e.message() + ")";
    }

    /** Waits (in real time) until the syscall thread is idle, finished, or asleep with nothing new to see. */
    private void settle() throws Stop {
        if (blocked != null) {
            settle(blocked.outcome());
        }
    }

    private void settle(Future<?> f) throws Stop {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
        while (!f.isDone() && live.sockets.settledSleepers() == 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new Stop(Verdict.FAILED, script.path() + ": a system call neither returned nor slept within "
                        + SETTLE_SECONDS + " s");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void listening(int liveFd) {
        listeningFd = liveFd;
    }

    @Override
    public void connecting(int liveFd) {
        connectingFd = liveFd;
        socketUnderTest = liveFd;
    }

    @Override
    public void accepted(int liveFd) {
        socketUnderTest = liveFd;
    }

    // ---- commands and code ----

    private void command(Action.Command c) throws Stop {
        Sysctl sysctl = new Sysctl(live.stack);
        for (ShellItem item : shell.interpret(c.text(), script.path(), c.line())) {
            if (item instanceof ShellItem.Sysctl s) {
                try {
                    sysctl.set(s.name(), s.value());
                } catch (IllegalArgumentException e) {
                    notes.add(s.file() + ":" + s.line() + ": unsupported sysctl " + s.name() + "=" + s.value()
                            + " (" + e.getMessage() + ")");
                }
            } else if (!ethtool(((ShellItem.Unsupported) item).command())) {
                notes.add(item.toString());
            }
        }
    }

    /**
     * {@code ethtool -K tun0 FEATURE on|off...}, as scripts switch the tun device's offloads: applied to the
     * script's device as `ustack link set` would. False when the command is not that, or names what the
     * device does not have.
     */
    private boolean ethtool(String command) {
        String[] w = command.trim().split("\\s+");
        if (w.length < 5 || !w[0].equals("ethtool") || !(w[1].equals("-K") || w[1].equals("--features"))
                || !w[2].equals(live.dev.name()) || (w.length - 3) % 2 != 0) {
            return false;
        }
        int on = live.dev.features();
        for (int i = 3; i < w.length; i += 2) {
            NetdevFeatures.Feature f = NetdevFeatures.byName(w[i]);
            if (f == null || !(w[i + 1].equals("on") || w[i + 1].equals("off"))) {
                return false;
            }
            on = w[i + 1].equals("on") ? on | f.bit() : on & ~f.bit();
        }
        live.dev.setFeatures(on);
        return true;
    }

    /** tcp_info of the socket under test, under the names packetdrill gives Python, in the kernel's units. */
    private Map<String, Long> tcpInfo(Event ev) throws Stop {
        TcpSocket.TcpInfo i;
        try {
            i = socketUnderTest < 0 ? null : live.sockets.tcpInfo(socketUnderTest);
        } catch (ErrnoException e) {
            i = null;
        }
        if (i == null) {
            throw new Stop(Verdict.FAILED, at(ev) + "no socket to use for code");
        }
        Map<String, Long> m = new LinkedHashMap<>();
        int mss = Math.max(1, i.mss());
        m.put("tcpi_state", (long) TcpStates.number(i.state()));
        m.put("tcpi_snd_cwnd", (long) (i.cwnd() / mss));
        m.put("tcpi_snd_ssthresh", i.ssthresh() == Integer.MAX_VALUE ? 0x7fff_ffffL : (long) (i.ssthresh() / mss));
        m.put("tcpi_snd_mss", (long) i.mss());
        m.put("tcpi_rto", i.rtoUs());
        m.put("tcpi_rtt", i.rttUs());
        m.put("tcpi_rttvar", i.rttvarUs());
        m.put("tcpi_backoff", (long) i.backoffs());
        m.put("tcpi_total_retrans", i.totalRetrans());
        m.put("tcpi_snd_wscale", (long) i.sndWscale());
        m.put("tcpi_rcv_wscale", (long) i.rcvWscale());
        m.put("tcpi_sacked", (long) (i.sackedBytes() / mss));
        m.put("tcpi_unacked", (long) ((i.sendQ() + mss - 1) / mss));
        return m;
    }

    /** Runs the snippets in order, as packetdrill runs them all as one Python program at the end. */
    private void runCode() throws Stop {
        CodeEvaluator python = new CodeEvaluator();
        for (CodeSnapshot s : code) {
            CodeOutcome o = python.run(s.code(), s.names());
            String report = o.report(script.path());
            if (report != null) {
                throw new Stop(o instanceof CodeOutcome.Unsupported ? Verdict.UNSUPPORTED : Verdict.FAILED, report);
            }
        }
    }
}
