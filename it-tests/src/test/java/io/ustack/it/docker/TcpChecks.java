package io.ustack.it.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.it.ChargenPattern;

/**
 * The TCP checks that the scenarios share, each run with the container's own tools against the stack's
 * built-in services over either family (a host is an IPv4 or an IPv6 address): curl of the HTTP status page,
 * N bytes from {@code /bytes/N} compared by SHA-256 with the pattern they must be, and random bytes through
 * the TCP echo service compared by SHA-256.
 */
final class TcpChecks {
    /**
     * argv: HOST N. Sends N random bytes to HOST's TCP echo (port 7) from one thread while reading them back
     * in another; prints "sent SHA256 N" and "got SHA256 COUNT".
     */
    private static final String ECHO_SHA256 = String.join("\n",
            "import hashlib, os, socket, sys, threading",
            "host, n = sys.argv[1], int(sys.argv[2])",
            "data = os.urandom(n)",
            "s = socket.create_connection((host, 7), timeout=30)",
            "def send():",
            "    s.sendall(data)",
            "    s.shutdown(socket.SHUT_WR)",
            "t = threading.Thread(target=send)",
            "t.start()",
            "h = hashlib.sha256()",
            "got = 0",
            "while got < n:",
            "    b = s.recv(1 << 16)",
            "    if not b:",
            "        break",
            "    h.update(b)",
            "    got += len(b)",
            "t.join()",
            "s.close()",
            "print('sent', hashlib.sha256(data).hexdigest(), n)",
            "print('got', h.hexdigest(), got)");

    private TcpChecks() {}

    /**
     * The three checks in a row, as a scenario that only needs TCP to work runs them: the status page, then
     * {@code n} bytes from {@code /bytes/n} and {@code echoed} bytes through the echo.
     */
    static void statusPageAndTransfers(UstackContainer client, String host, long n, int echoed) {
        statusPage(client, host);
        bytesArrive(client, host, n);
        echoKeepsTheBytes(client, host, echoed);
    }

    /** {@code http://host/}, an IPv6 address in brackets. */
    private static String url(String host) {
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + "/";
    }

    /** curl of the status page at {@code http://host/} from {@code client}. */
    static void statusPage(UstackContainer client, String host) {
        Exec page = client.exec("curl", "-sS", "--max-time", "20", url(host));
        assertEquals(0, page.exit(), page.output());
        assertTrue(page.output().contains("<h1>ustack</h1>"), "the status page:\n" + page.output());
    }

    /** {@code /bytes/n} fetched with curl from {@code client}: the pattern's first n bytes, by SHA-256. */
    static void bytesArrive(UstackContainer client, String host, long n) {
        Exec sum = client.exec("bash", "-o", "pipefail", "-c", "curl -sS --max-time 50 -w '%{stderr}%{size_download} bytes\\n' "
                + url(host) + "bytes/" + n + " | sha256sum");
        assertEquals(0, sum.exit(), sum.output());
        assertEquals(ChargenPattern.sha256(n), ChargenPattern.digestIn(sum.output()),
                "/bytes/" + n + " is the pattern, whole and in order: " + sum.output());
    }

    /** {@code n} random bytes through the TCP echo service and back, the same by SHA-256. */
    static void echoKeepsTheBytes(UstackContainer client, String host, int n) {
        Exec echo = client.exec("python3", "-c", ECHO_SHA256, host, Integer.toString(n));
        assertEquals(0, echo.exit(), echo.output());
        String[] lines = echo.output().trim().split("\n");
        assertEquals(2, lines.length, echo.output());
        String[] sent = lines[0].split(" ");
        String[] got = lines[1].split(" ");
        assertEquals(Integer.toString(n), got[2], "bytes echoed: " + echo.output());
        assertEquals(sent[1], got[1], "SHA-256 of what was sent and what came back: " + echo.output());
    }
}
