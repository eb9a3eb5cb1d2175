package io.ustack.cli.services;

import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;
import java.util.Random;

/**
 * One data connection of an iperf3 test: it counts what the client sends, or sends to the client as fast as
 * the connection takes it once the test runs, until the test's byte limit if it has one. Its methods run on
 * its connection's Cpu; the test reads its count from the control connection's.
 */
final class Iperf3Stream implements Iperf3Connection.Role {
    /** Incompressible, as iperf3's own payload is random unless asked otherwise. */
    private static final byte[] PAYLOAD = new byte[128 * 1024];

    static {
        new Random(5201).nextBytes(PAYLOAD);
    }

    final int id;
    final boolean sends;
    final TcpSocket socket;
    private final Iperf3Test test;
    /** Written on this stream's Cpu only. */
    private volatile long bytes;
    private boolean running;
    private boolean stopped;
    private int offset;

    Iperf3Stream(Iperf3Test test, TcpSocket socket, int id, boolean sends) {
        this.test = test;
        this.socket = socket;
        this.id = id;
        this.sends = sends;
    }

    /** Bytes received, or sent (taken by the send buffer, as iperf3 counts what write(2) took). */
    long bytes() {
        return bytes;
    }

    @Override
    public void readable() throws IOException {
        byte[] buf = TcpService.SCRATCH.get();
        for (int n; (n = socket.tryRead(buf, 0, buf.length)) != 0; ) {
            if (n < 0) {
                return; // the client is done sending; the test's end closes this side
            }
            if (!sends && !stopped) {
                bytes += n;
            }
        }
    }

    @Override
    public void writable() throws IOException {
        pump();
    }

    /** The test runs (TEST_RUNNING has been sent): a sending stream starts. */
    void run() {
        running = true;
        try {
            pump();
        } catch (IOException | RuntimeException e) {
            failed(e);
            socket.close();
        }
    }

    /** The test is over: no more counting or sending, and the connection is closed, as iperf3's server does. */
    void stop() {
        stopped = true;
        socket.close();
    }

    @Override
    public void failed(Exception cause) {
        if (!stopped) {
            test.close("stream " + id + ": " + cause.getMessage());
        }
    }

    private void pump() throws IOException {
        while (sends && running && !stopped) {
            int grant = test.takeSendBudget(PAYLOAD.length - offset);
            if (grant == 0) {
                return;
            }
            int n = socket.tryWrite(PAYLOAD, offset, grant);
            test.returnSendBudget(grant - n);
            if (n == 0) {
                return;
            }
            bytes += n;
            offset = (offset + n) % PAYLOAD.length;
        }
    }
}
