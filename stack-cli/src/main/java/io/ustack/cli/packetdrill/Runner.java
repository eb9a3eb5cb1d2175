package io.ustack.cli.packetdrill;

import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.socket.ErrnoException;
import io.ustack.core.stack.Sysctl;
import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    private static final int FIRST_REMOTE_PORT = 40_000;

    /** How a script ended. */
    enum Verdict {
        PASSED, FAILED, UNSUPPORTED
    }

    record Result(Verdict verdict, String message, List<String> notes) {
    }

    private final Script script;
    private final RunConfig config;
    private final ShellCommands shell;
    private final List<String> notes = new ArrayList<>();
    private ScriptStack live;
    private SyscallThread calls;
    private OutboundStream outbound;
    private Connection conn;
    private int listeningFd = -1;
    private int connectingFd = -1;
    /** The descriptor tcp_info is read from: the connection last accepted or connected. */
    private int socketUnderTest = -1;
    private int nextRemotePort = FIRST_REMOTE_PORT;
    private final List<CodeSnapshot> code = new ArrayList<>();

    private record CodeSnapshot(Action.Code code, Map<String, Long> names) {
    }

    Runner(Script script, RunConfig config, Path directory) {
        this.script = script;
        this.config = config;
        this.shell = ShellCommands.inDirectory(directory);
    }

    Result run() {
        try (ScriptStack s = new ScriptStack(config);
             SyscallThread t = new SyscallThread(s, new Syscalls(s.sockets, config, this), script.path())) {
            live = s;
            calls = t;
            outbound = new OutboundStream(s, t::settle);
            if (script.init() != null) {
                command(script.init());
            }
            runEvents();
            calls.finish(config.toleranceUsecs());
            if (script.cleanup() != null) {
                command(script.cleanup());
            }
            runCode();
            return new Result(Verdict.PASSED, null, notes);
        } catch (ScriptStop e) {
            return new Result(e.verdict, e.getMessage(), notes);
        } catch (IOException e) {
            return new Result(Verdict.FAILED, script.path() + ": could not set up the stack: " + e.getMessage(), notes);
        }
    }

    private void runEvents() throws ScriptStop {
        long prevScheduled = 0;
        boolean prevInbound = false;
        boolean first = true;
        for (Event ev : script.events()) {
            boolean inbound = ev.action() instanceof Action.Packet p && p.spec().direction() == PacketSpec.Direction.INBOUND;
            long base = inbound && prevInbound ? prevScheduled : live.nowUsecs();
            long start = EventTimes.start(ev.time(), base);
            long end = EventTimes.end(ev.time(), base, start);
            long tolerance = EventTimes.tolerance(config, start, prevScheduled);
            Action action = ev.action();
            if (action instanceof Action.Packet p && inbound) {
                waitFor(ev, start, tolerance, "inbound packet", first);
                inject(ev, p.spec());
            } else if (action instanceof Action.Packet p) {
                expect(ev, p.spec(), start, end, tolerance);
            } else if (action instanceof Action.Syscall c) {
                waitFor(ev, start, tolerance, "system call start", first);
                long endUsecs = ev.time().kind() == EventTime.Kind.ABSOLUTE ? c.endUsecs() : base + c.endUsecs();
                calls.run(ev, c, endUsecs, config.toleranceUsecs());
            } else if (action instanceof Action.Command c) {
                waitFor(ev, start, tolerance, "command", first);
                command(c);
            } else if (action instanceof Action.Code c) {
                waitFor(ev, start, tolerance, "data collection for code", first);
                code.add(new CodeSnapshot(c, tcpInfo(ev)));
            }
            calls.checkReturned(config.toleranceUsecs());
            prevScheduled = ev.time().kind() == EventTime.Kind.ANY ? live.nowUsecs() : start;
            prevInbound = inbound;
            first = false;
        }
    }

    // ---- time ----

    /** wait_for_event and check_event_time: the clock moves to {@code start}; one already past it is late. */
    private void waitFor(Event ev, long start, long tolerance, String what, boolean first) throws ScriptStop {
        if (start < 0) {
            return;
        }
        if (start > live.nowUsecs()) {
            live.advanceTo(start);
            calls.settle();
        }
        long now = live.nowUsecs();
        if (!first && Math.abs(now - start) > tolerance) {
            throw ScriptStop.failed(at(ev) + EventTimes.timing(what, start, now, tolerance));
        }
    }

    private String at(Event ev) {
        return script.path() + ":" + ev.line() + ": ";
    }

    // ---- packets ----

    private void inject(Event ev, PacketSpec spec) throws ScriptStop {
        if (!spec.outer().isEmpty()) {
            throw ScriptStop.unsupported(at(ev) + "encapsulated packets are not supported");
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
            throw ScriptStop.failed(at(ev) + "error handling packet: " + e.getMessage());
        }
        live.dev.inject(ip, pkt -> { });
        calls.settle();
    }

    /** A SYN from the script for a listener: a new connection from a new remote port (a new child). */
    private void passiveSyn(Event ev, PacketSpec.Tcp t) throws ScriptStop {
        if (listeningFd < 0 && conn != null) {
            return; // a SYN for a connection that exists: a retransmission, a simultaneous open
        }
        int remotePort = t.ports() != null ? t.ports().src() : nextRemotePort++;
        conn = new Connection(config.bindPort(), remotePort);
    }

    private Connection connection(Event ev) throws ScriptStop {
        if (conn == null) {
            throw ScriptStop.failed(at(ev) + "error handling packet: no matching socket for script packet");
        }
        return conn;
    }

    /**
     * An outbound line: the next packet the stack sent, waiting on the virtual clock (timers running) up to the
     * latest time the line allows if none has been sent yet; then its fields and its time.
     */
    private void expect(Event ev, PacketSpec spec, long start, long end, long tolerance) throws ScriptStop {
        long horizon = start < 0 ? live.nowUsecs() + ANY_TIME_HORIZON_USECS : end + tolerance;
        ScriptDevice.Sent sent = outbound.next(horizon);
        if (sent == null) {
            throw ScriptStop.failed(at(ev) + "error handling packet: expected outbound packet but none was sent by "
                    + EventTimes.seconds(horizon).strip() + " sec\nscript packet: "
                    + EventTimes.seconds(Math.max(start, 0)) + " " + OutboundCheck.dump(spec));
        }
        LivePacket p = LivePacket.decode(sent.ip());
        if (p == null) {
            throw ScriptStop.failed(at(ev) + "error handling packet: the stack sent a packet that is not IPv4");
        }
        Connection c = conn;
        if (spec.transport() instanceof PacketSpec.Tcp t && p.tcp() != null) {
            c = learn(ev, t, p);
            p = outbound.gather(p, t.payload(), horizon);
            if (p.tcp().payload() != t.payload()) {
                throw ScriptStop.failed(at(ev) + "error handling packet: live packet payload: expected "
                        + t.payload() + " bytes vs actual " + p.tcp().payload() + " bytes");
            }
        }
        if (c == null) {
            throw ScriptStop.failed(at(ev) + "error handling packet: no matching socket for script packet");
        }
        long sentAt = ScriptStack.usecsOf(sent.atNanos());
        String mismatch = OutboundCheck.verify(spec, p, c);
        if (mismatch == null && start >= 0 && (sentAt < start - tolerance || sentAt > end + tolerance)) {
            mismatch = start == end ? EventTimes.timing("outbound packet", start, sentAt, tolerance)
                    : EventTimes.timingRange("outbound packet", start, end, sentAt);
        }
        if (mismatch != null) {
            throw ScriptStop.failed(at(ev) + "error handling packet: " + mismatch + "\n"
                    + "script packet: " + EventTimes.seconds(Math.max(start, 0)) + " " + OutboundCheck.dump(spec) + "\n"
                    + "actual packet: " + EventTimes.seconds(sentAt) + " " + OutboundCheck.dump(p, c));
        }
        if (spec.transport() instanceof PacketSpec.Tcp t && t.options() != null && p.tcp() != null) {
            rememberTimestamps(t, p.tcp(), c);
        }
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

    // ---- what the system calls say ----

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

    private void command(Action.Command c) throws ScriptStop {
        Sysctl sysctl = new Sysctl(live.stack);
        for (ShellItem item : shell.interpret(c.text(), script.path(), c.line())) {
            if (item instanceof ShellItem.Sysctl s) {
                try {
                    sysctl.set(s.name(), s.value());
                } catch (IllegalArgumentException e) {
                    notes.add(s.file() + ":" + s.line() + ": unsupported sysctl " + s.name() + "=" + s.value()
                            + " (" + e.getMessage() + ")");
                }
            } else if (!ethtool(((ShellItem.Unsupported) item).command())
                    && !qdisc(((ShellItem.Unsupported) item).command())) {
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

    /**
     * {@code tc qdisc add|replace|change dev tun0 root KIND} (and {@code tc qdisc del dev tun0 root}), as scripts
     * pick the tun device's qdisc: {@code fq} makes it pace packets to their departure times, the non-pacing
     * kinds (and deleting the root qdisc) stop that. False when the command is not that, or has parameters.
     */
    private boolean qdisc(String command) {
        String[] w = command.trim().split("\\s+");
        if (w.length < 5 || !w[0].equals("tc") || !w[1].equals("qdisc") || !w[3].equals("dev")
                || !w[4].equals(live.dev.name())) {
            return false;
        }
        String op = w[2];
        if (op.equals("del") || op.equals("delete")) {
            if (w.length == 6 && w[5].equals("root")) {
                live.dev.setFq(false);
                return true;
            }
            return false;
        }
        if (!(op.equals("add") || op.equals("replace") || op.equals("change")) || w.length != 7 || !w[5].equals("root")) {
            return false;
        }
        switch (w[6]) {
            case "fq" -> live.dev.setFq(true);
            case "pfifo_fast", "pfifo", "fq_codel", "noqueue" -> live.dev.setFq(false);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** tcp_info of the socket under test, under the names packetdrill gives Python, in the kernel's units. */
    private Map<String, Long> tcpInfo(Event ev) throws ScriptStop {
        TcpSocket.TcpInfo i;
        try {
            i = socketUnderTest < 0 ? null : live.sockets.tcpInfo(socketUnderTest);
        } catch (ErrnoException e) {
            i = null;
        }
        if (i == null) {
            throw ScriptStop.failed(at(ev) + "no socket to use for code");
        }
        return TcpInfoNames.of(i);
    }

    /** Runs the snippets in order, as packetdrill runs them all as one Python program at the end. */
    private void runCode() throws ScriptStop {
        CodeEvaluator python = new CodeEvaluator();
        for (CodeSnapshot s : code) {
            CodeOutcome o = python.run(s.code(), s.names());
            String report = o.report(script.path());
            if (report != null) {
                throw new ScriptStop(o instanceof CodeOutcome.Unsupported ? Verdict.UNSUPPORTED : Verdict.FAILED, report);
            }
        }
    }
}
