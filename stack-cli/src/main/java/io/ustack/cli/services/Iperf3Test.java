package io.ustack.cli.services;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.control.Json;
import io.ustack.core.softnet.Cpu;
import io.ustack.core.tcp.TcpSocket;
import io.ustack.core.time.Clock;
import io.ustack.core.time.Timer;
import io.ustack.core.wire.Ipv4Address;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One iperf3 test, seen from its control connection, whose role it is: the server's half of the
 * conversation (iperf_server_api.c). PARAM_EXCHANGE and the client's parameters; CREATE_STREAMS, and the data
 * connections that bring the cookie; TEST_START and TEST_RUNNING; the client's TEST_END; EXCHANGE_RESULTS,
 * the client's results and ours; DISPLAY_RESULTS; the client's IPERF_DONE. Anything else from the client, a
 * step not taken in time, or a lost connection ends the test and frees the server.
 *
 * <p>Threads: the conversation runs on the control connection's Cpu; data connections register from theirs
 * ({@link #addStream}, under this object's lock) and the last one hands the start over to the control's Cpu.
 */
final class Iperf3Test implements Iperf3Connection.Role {
    private static final System.Logger LOG = System.getLogger(Iperf3Test.class.getName());

    /** Where the conversation stands; CLOSING sends a last message, then ends the test. */
    private enum Phase { PARAMS, STREAMS, RUNNING, RESULTS, DISPLAYED, CLOSING, OVER }

    final TcpSocket control;
    private final Iperf3Server server;
    private final byte[] cookie;
    private final Clock clock;
    private final Cpu timerCpu;
    private final ExactRead in = new ExactRead();
    private final PendingWrites out = new PendingWrites();
    /** Ends a test whose client has stopped taking its steps. */
    private final Timer watchdog;
    /** Ends iperf3's omitted first seconds: the figures count from then. */
    private final Timer omitEnd;
    /** Grows under this object's lock until the last stream comes; read on the control's Cpu after that. */
    private final List<Iperf3Stream> streams = new ArrayList<>();
    private final AtomicLong sendBudget = new AtomicLong();
    private volatile Phase phase = Phase.PARAMS;
    private Iperf3Params params;
    private int frameLength = -1;
    private Iperf3Report.Start start;
    /** Each stream's count when the omitted seconds ended; null without -O. */
    private long[] omitted;
    private Iperf3Report report;

    Iperf3Test(Iperf3Server server, TcpSocket control, byte[] cookie) {
        this.server = server;
        this.control = control;
        this.cookie = cookie;
        this.clock = server.stack().config().clock();
        this.timerCpu = server.stack().cpuFor(control.remotePort());
        this.watchdog = new Timer(now -> close("the client took no step for too long"));
        this.omitEnd = new Timer(now -> control.runOnCpu(this::omitted));
    }

    /** The client has sent its cookie: ask for its parameters. */
    void start() throws IOException {
        armWatchdog(server.stepTimeoutNanos());
        send(new byte[] {Iperf3.PARAM_EXCHANGE});
    }

    /** Whether data connections are being taken now: between CREATE_STREAMS and the last one's arrival. */
    boolean acceptsStreams() {
        return phase == Phase.STREAMS;
    }

    /**
     * A data connection with {@code c} for its cookie: its stream, or null if it is not this test's or none is
     * wanted now. Streams are numbered as iperf3's iperf_add_stream numbers them (1, 3, 4, ...), and the
     * client opens those it sends on first, so the first ones are the server's receivers. The order is that
     * in which the cookies are read: iperf3's client writes a stream's cookie before it connects the next,
     * so a cookie read on one thread precedes the next connection's by a round trip (iperf3's own server,
     * taking streams in accept order, relies on the same).
     */
    Iperf3Stream addStream(TcpSocket socket, byte[] c) {
        Iperf3Stream s;
        boolean last;
        synchronized (this) {
            if (phase != Phase.STREAMS || !Arrays.equals(c, cookie) || streams.size() == params.streams()) {
                return null;
            }
            int n = streams.size();
            s = new Iperf3Stream(this, socket, n == 0 ? 1 : n + 2, n >= params.serverReceives());
            streams.add(s);
            last = streams.size() == params.streams();
        }
        if (last) {
            control.runOnCpu(() -> step(this::begin));
        }
        return s;
    }

    @Override
    public void readable() throws IOException {
        while (true) {
            switch (phase) {
                case PARAMS, RESULTS -> {
                    JsonNode j = readJson();
                    if (j == null) {
                        return;
                    }
                    if (phase == Phase.PARAMS) {
                        parameters(j);
                    } else {
                        clientResults(j);
                    }
                }
                case STREAMS, RUNNING, DISPLAYED -> {
                    byte[] b = in.read(control, 1);
                    if (b == null) {
                        return;
                    }
                    state(b[0]);
                }
                case CLOSING, OVER -> {
                    return;
                }
            }
        }
    }

    @Override
    public void writable() throws IOException {
        if (out.flush(control) && phase == Phase.CLOSING) {
            close(null);
        }
    }

    @Override
    public void failed(Exception cause) {
        close("control connection: " + cause.getMessage());
    }

    private void parameters(JsonNode j) throws IOException {
        try {
            params = Iperf3Params.parse(j);
        } catch (Iperf3Params.Refused r) {
            LOG.log(System.Logger.Level.INFO, "iperf3: refused a test: " + r.getMessage());
            serverError(r.errno);
            return;
        }
        sendBudget.set(params.sendLimit());
        armWatchdog(server.stepTimeoutNanos());
        if (advance(Phase.STREAMS)) {
            send(new byte[] {Iperf3.CREATE_STREAMS});
        }
    }

    /** Every stream is there: the test starts. On the control connection's Cpu. */
    private void begin() throws IOException {
        if (!advance(Phase.RUNNING)) {
            return; // ended meanwhile
        }
        start = Iperf3Report.Start.now(clock);
        send(new byte[] {Iperf3.TEST_START, Iperf3.TEST_RUNNING});
        if (params.time() > 0) {
            armWatchdog(TimeUnit.SECONDS.toNanos(params.time() + params.omit()) + server.graceNanos());
        } else {
            timerCpu.cancel(watchdog); // a test that ends on bytes or blocks may take as long as it takes
        }
        if (params.omit() > 0) {
            timerCpu.schedule(omitEnd, clock.nanos() + TimeUnit.SECONDS.toNanos(params.omit()));
        }
        for (Iperf3Stream s : streams) {
            s.socket.runOnCpu(s::run);
        }
    }

    /** The omitted seconds are over: counts and times start again from here. */
    private void omitted() {
        if (phase == Phase.RUNNING) {
            start = Iperf3Report.Start.now(clock);
            omitted = streams.stream().mapToLong(Iperf3Stream::bytes).toArray();
        }
    }

    private void state(byte b) throws IOException {
        if (b == Iperf3.CLIENT_TERMINATE) {
            close("the client ended the test");
        } else if (phase == Phase.RUNNING && b == Iperf3.TEST_END) {
            end();
        } else if (phase == Phase.RUNNING && b == Iperf3.TEST_START) {
            // sent by old clients as they start; nothing to do
        } else if (phase == Phase.DISPLAYED && b == Iperf3.IPERF_DONE) {
            close(null);
        } else {
            throw new IOException("state " + b + " while " + phase);
        }
    }

    /** TEST_END: the figures are taken, the data connections closed, and the results exchanged. */
    private void end() throws IOException {
        if (!advance(Phase.RESULTS)) {
            return;
        }
        timerCpu.cancel(omitEnd);
        armWatchdog(server.stepTimeoutNanos());
        List<Iperf3Report.StreamResult> results = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            Iperf3Stream s = streams.get(i);
            TcpSocket.TcpInfo info = s.socket.info();
            results.add(new Iperf3Report.StreamResult(s.id, s.sends, s.bytes() - (omitted == null ? 0 : omitted[i]),
                    s.sends ? info.totalRetrans() : -1, info.congestion()));
            s.socket.runOnCpu(s::stop);
        }
        report = new Iperf3Report(start.until(clock), results, params.serverSends() > 0, params.serverOutput()
                ? peer() + ", port " + control.remotePort() : null);
        send(new byte[] {Iperf3.EXCHANGE_RESULTS});
    }

    /** The client's address as iperf3 prints it, of either family: a v4-mapped one as IPv4 (mapped_v4_to_regular_v4). */
    private String peer() {
        return control.remoteAddress6() != null && !control.isV4Mapped() ? control.remoteAddress6().toString()
                : Ipv4Address.format(control.remoteAddress());
    }

    private void clientResults(JsonNode j) throws IOException {
        if (!j.path("streams").isArray()) {
            throw new IOException("the client's results have no streams");
        }
        byte[] ours = Json.MAPPER.writeValueAsBytes(report.json());
        if (advance(Phase.DISPLAYED)) {
            send(ByteBuffer.allocate(4).putInt(ours.length).array());
            send(ours);
            send(new byte[] {Iperf3.DISPLAY_RESULTS});
        }
    }

    private JsonNode readJson() throws IOException {
        if (frameLength < 0) {
            byte[] len = in.read(control, 4);
            if (len == null) {
                return null;
            }
            frameLength = ByteBuffer.wrap(len).getInt();
            if (frameLength <= 0 || frameLength > Iperf3.MAX_JSON) {
                throw new IOException("a JSON message of " + Integer.toUnsignedString(frameLength) + " bytes");
            }
        }
        byte[] body = in.read(control, frameLength);
        if (body == null) {
            return null;
        }
        frameLength = -1;
        return Json.MAPPER.readTree(body);
    }

    /** SERVER_ERROR with iperf3's error number (and errno 0), then the connection is closed. */
    private void serverError(int ierrno) throws IOException {
        byte[] message = ByteBuffer.allocate(9).put(Iperf3.SERVER_ERROR).putInt(ierrno).putInt(0).array();
        if (advance(Phase.CLOSING) && send(message)) {
            close(null);
        }
    }

    /** Moves the conversation on, unless the test has been ended meanwhile (from another thread). */
    private synchronized boolean advance(Phase next) {
        if (phase == Phase.OVER) {
            return false;
        }
        phase = next;
        return true;
    }

    private boolean send(byte[] message) throws IOException {
        return out.send(control, message);
    }

    private void armWatchdog(long inNanos) {
        timerCpu.schedule(watchdog, clock.nanos() + inNanos);
    }

    int takeSendBudget(int want) {
        for (long left; (left = sendBudget.get()) > 0; ) {
            int grant = (int) Math.min(want, left);
            if (sendBudget.compareAndSet(left, left - grant)) {
                return grant;
            }
        }
        return 0;
    }

    void returnSendBudget(int unused) {
        if (unused > 0) {
            sendBudget.addAndGet(unused);
        }
    }

    /**
     * Ends the test from any thread, once: the control and data connections are closed (with a FIN after what
     * is queued) and the server is free for the next client. {@code why} is logged; null for a test that
     * ended as the protocol ends it.
     */
    void close(String why) {
        List<Iperf3Stream> all;
        synchronized (this) {
            if (phase == Phase.OVER) {
                return;
            }
            phase = Phase.OVER;
            all = List.copyOf(streams);
        }
        if (why != null) {
            LOG.log(System.Logger.Level.INFO, "iperf3: test ended: " + why);
        }
        timerCpu.cancel(watchdog);
        timerCpu.cancel(omitEnd);
        for (Iperf3Stream s : all) {
            s.socket.runOnCpu(s::stop);
        }
        control.close();
        server.finished(this);
    }

    /** Runs a step handed over to the control connection's Cpu, where no guard of the service catches. */
    private void step(TcpService.Step s) {
        try {
            s.run();
        } catch (IOException | RuntimeException e) {
            failed(e);
        }
    }
}
