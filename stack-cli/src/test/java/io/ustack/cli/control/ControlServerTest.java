package io.ustack.cli.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ustack.cli.UserException;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket end to end: a real server over a stack without devices, and the real client. */
class ControlServerTest {
    @TempDir
    Path dir;
    private Path sock;
    private NetStack stack;
    private ControlServer server;

    @BeforeEach
    void start() {
        sock = dir.resolve("run").resolve("ustack.sock");
        stack = new NetStack(StackConfig.defaults().withBacklogThreads(0).withHousekeepingMs(0));
        server = ControlServer.bind(sock, new ControlDispatcher(ControlHandlers.forStack(stack)));
    }

    @AfterEach
    void stop() {
        server.close();
        stack.close();
    }

    @Test
    void statsRoundTrip() {
        JsonNode result = ControlClient.result(sock, ControlRequest.of("stats"));
        JsonNode flat = result.get("flat");
        assertEquals(0, flat.get("IpInReceives").asLong());
        assertTrue(flat.has("IpOutRequests"));
        assertTrue(flat.has("lo:rx_packets"), "devices are flattened as dev:field");
        assertEquals("IpInReceives", flat.fieldNames().next(), "nstat's order: the IP MIB first");
        assertTrue(result.get("snmp").has("IcmpInMsgs"));
        assertTrue(result.get("devices").get("lo").has("tx_packets"));
        assertTrue(result.get("buffers").has("Outstanding"));
        assertTrue(result.get("drops").isObject());
        assertTrue(result.get("softnet").isArray());
    }

    @Test
    void anErrorResponseReachesTheClient() {
        ControlResponse r = ControlClient.call(sock, new ControlRequest("stats",
                Json.MAPPER.createObjectNode().put("x", 1)), ControlClient.DEFAULT_TIMEOUT);
        assertFalse(r.ok());
        assertEquals("stats takes no arguments", r.error());
        String unknown = assertThrows(UserException.class, () -> ControlClient.result(sock, ControlRequest.of("bogus"))).getMessage();
        assertTrue(unknown.startsWith("unknown command 'bogus'; this daemon knows: addr, "), unknown);
        assertTrue(unknown.contains(", stats"), unknown);
    }

    @Test
    void theSocketIsForItsOwnerOnlyAndItsNewDirectoryToo() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock.getParent())));
    }

    @Test
    void severalRequestsOnOneConnectionAreAnsweredInOrder() throws Exception {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write(("{\"cmd\":\"stats\"}\n\nnot json\n{\"cmd\":\"nope\"}\n{\"cmd\":\"stats\"}\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            assertTrue(ControlResponse.parse(in.readLine()).ok());
            assertTrue(ControlResponse.parse(in.readLine()).error().startsWith("the request is not valid JSON"));
            assertTrue(ControlResponse.parse(in.readLine()).error().startsWith("unknown command 'nope'"));
            assertTrue(ControlResponse.parse(in.readLine()).ok());
        }
    }

    @Test
    void anOverlongRequestIsRefusedAndTheConnectionClosed() throws Exception {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write(new byte[ControlLimits.DEFAULT.maxRequestBytes() + 1]);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            assertEquals("the request is longer than 65536 bytes", ControlResponse.parse(in.readLine()).error());
            assertEquals(null, in.readLine());
        }
    }

    @Test
    void aSecondServerOnTheSamePathIsRefused() {
        assertEquals("another ustack daemon is listening on " + sock,
                assertThrows(UserException.class, () -> ControlServer.bind(sock, new ControlDispatcher(new ControlHandlers())))
                        .getMessage());
        assertTrue(ControlClient.result(sock, ControlRequest.of("stats")).has("flat"), "the first one is unharmed");
    }

    @Test
    void closingRemovesTheSocketAndClientsAreToldNobodyIsThere() {
        server.close();
        server.close();
        assertFalse(Files.exists(sock, LinkOption.NOFOLLOW_LINKS));
        assertEquals("cannot reach the daemon at " + sock + ": is 'ustack daemon' running?",
                assertThrows(UserException.class, () -> ControlClient.result(sock, ControlRequest.of("stats"))).getMessage());
    }

    @Test
    void aUserLookingForRootsDaemonIsToldItIsAPermissionProblem() throws Exception {
        Path rootDir = Files.createDirectory(dir.resolve("root-run"));
        Path rootSock = rootDir.resolve("ustack.sock");
        Path mine = dir.resolve("user-run").resolve("ustack.sock");
        java.io.IOException enoent = new java.net.SocketException("No such file or directory");
        assertEquals("there is no daemon of yours at " + mine + ", and a daemon run by root listens on " + rootSock
                + ", which only root may use: run this as root (sudo)",
                ControlClient.unreachable(mine, enoent, 1000, rootSock, p -> false).getMessage());
        assertEquals("cannot reach the daemon at " + mine + ": is 'ustack daemon' running?",
                ControlClient.unreachable(mine, enoent, 0, rootSock, p -> false).getMessage(), "root may enter anywhere");
        assertEquals("cannot reach the daemon at " + mine + ": is 'ustack daemon' running?",
                ControlClient.unreachable(mine, enoent, 1000, dir.resolve("none").resolve("ustack.sock"), p -> false)
                        .getMessage(), "no root daemon's directory at all");
        assertEquals("no permission to use the control socket " + rootSock + "; run as root or as the user of 'ustack daemon'",
                ControlClient.unreachable(rootSock, new java.net.BindException("Permission denied"), 1000, rootSock,
                        p -> false).getMessage(), "EACCES from connect(2), as the JDK reports it");
    }

    @Test
    void aStaleSocketIsReplaced() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(stale)); // closing it leaves the file behind, as a crash would
        }
        assertTrue(Files.exists(stale));
        try (ControlServer again = ControlServer.bind(stale, new ControlDispatcher(ControlHandlers.forStack(stack)))) {
            assertTrue(ControlClient.result(again.path(), ControlRequest.of("stats")).has("flat"));
        }
    }

    @Test
    void aFileThatIsNotASocketIsLeftAlone() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
        assertEquals(file + " exists and is not a socket; remove it or pass another --control PATH",
                assertThrows(UserException.class, () -> ControlServer.bind(file, new ControlDispatcher(new ControlHandlers())))
                        .getMessage());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void aPathTooLongForSunPathIsRefused() {
        Path longPath = dir.resolve("x".repeat(120) + ".sock");
        assertTrue(assertThrows(UserException.class,
                () -> ControlServer.bind(longPath, new ControlDispatcher(new ControlHandlers()))).getMessage()
                .endsWith("is longer than 107 bytes, the limit for a Unix socket; pass a shorter --control PATH"));
    }

    @Test
    void aSilentDaemonTimesOut() throws Exception {
        Path mute = dir.resolve("mute.sock");
        try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listening.bind(UnixDomainSocketAddress.of(mute)); // accepts into the backlog, never answers
            assertEquals("the daemon at " + mute + " did not answer within 0 s", assertThrows(UserException.class,
                    () -> ControlClient.call(mute, ControlRequest.of("stats"), Duration.ofMillis(200))).getMessage());
        }
    }
}
