package io.ustack.cli.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.UserException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The client side of the control socket, for the {@code ustack} subcommands: connect, send one request line,
 * read one response line. A CLI makes one call and exits, so this is the JDK's own Unix socket channel
 * (Java 16+), blocking for the connect and the write, with a selector for the read timeout: no event loop
 * threads, no native library to load.
 */
public final class ControlClient {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Responses such as "stats" are a few kB; this only stops a runaway peer from filling the heap. */
    private static final int MAX_RESPONSE_BYTES = 64 << 20;

    private ControlClient() {
    }

    /**
     * Sends {@code request} to the daemon at {@code path} and returns its response, failed or not.
     *
     * @throws UserException with one sentence if the daemon cannot be reached, does not answer within
     *                       {@code timeout}, or answers with something that is not a response
     */
    public static ControlResponse call(Path path, ControlRequest request, Duration timeout) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(path));
            } catch (IOException e) {
                throw unreachable(path, e, Uid.current(), Path.of(ControlPath.ROOT_DEFAULT), Files::isExecutable);
            }
            ByteBuffer out = ByteBuffer.wrap((request.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            return ControlResponse.parse(readLine(ch, path, timeout));
        } catch (IllegalArgumentException e) {
            throw new UserException("the daemon at " + path + " gave an answer ustack cannot read: " + e.getMessage());
        } catch (IOException e) {
            throw new UserException("lost the connection to the daemon at " + path + ": " + e.getMessage());
        }
    }

    /**
     * Like {@link #call} with {@link #DEFAULT_TIMEOUT}, returning the result of a successful response.
     *
     * @throws UserException with the daemon's sentence if it refused or failed the request
     */
    public static JsonNode result(Path path, ControlRequest request) {
        ControlResponse r = call(path, request, DEFAULT_TIMEOUT);
        if (!r.ok()) {
            throw new UserException(r.error());
        }
        return r.result();
    }

    /**
     * Why connect(2) failed, in words: a permission problem is said as one, and so is the likeliest one of all, a
     * user looking for a daemon that root runs, whose socket sits in a directory only root may enter.
     *
     * @param rootSocket where root's daemon listens by default
     * @param mayEnter   whether this process may enter a directory (Files::isExecutable; tests run as root)
     */
    static UserException unreachable(Path path, IOException e, int uid, Path rootSocket, Predicate<Path> mayEnter) {
        String error = String.valueOf(e.getMessage());
        if (error.contains("Permission denied") || Files.exists(path) && !Files.isWritable(path)) {
            return new UserException("no permission to use the control socket " + path
                    + "; run as root or as the user of 'ustack daemon'");
        }
        Path rootDir = rootSocket.getParent();
        if (uid != 0 && !path.equals(rootSocket) && rootDir != null && Files.isDirectory(rootDir)
                && !mayEnter.test(rootDir)) {
            return new UserException("there is no daemon of yours at " + path + ", and a daemon run by root listens on "
                    + rootSocket + ", which only root may use: run this as root (sudo)");
        }
        return new UserException("cannot reach the daemon at " + path + ": is 'ustack daemon' running?");
    }

    private static String readLine(SocketChannel ch, Path path, Duration timeout) throws IOException {
        ch.configureBlocking(false);
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        try (Selector selector = Selector.open()) {
            ch.register(selector, SelectionKey.OP_READ);
            while (true) {
                long leftMs = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0) {
                    throw new UserException("the daemon at " + path + " did not answer within "
                            + timeout.toSeconds() + " s");
                }
                selector.select(leftMs);
                selector.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    throw new UserException("the daemon at " + path + " closed the connection without answering");
                }
                for (int i = 0; i < n; i++) {
                    byte b = buf.get(i);
                    if (b == '\n') {
                        return line.toString(StandardCharsets.UTF_8);
                    }
                    line.write(b);
                }
                if (line.size() > MAX_RESPONSE_BYTES) {
                    throw new UserException("the daemon at " + path + " sent an answer over "
                            + (MAX_RESPONSE_BYTES >> 20) + " MiB without ending it");
                }
            }
        }
    }
}
