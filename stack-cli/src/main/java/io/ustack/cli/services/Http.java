package io.ustack.cli.services;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.Json;
import io.ustack.cli.control.handlers.AddrHandler;
import io.ustack.cli.control.handlers.NeighListHandler;
import io.ustack.cli.control.handlers.StatsHandler;
import io.ustack.core.stack.NetStack;
import io.ustack.core.tcp.TcpSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 on port 80 with keep-alive (RFC 9112), for people and for throughput tests: {@code /} a status
 * page (interfaces, neighbours, counters), {@code /stats} the counters as JSON, {@code /bytes/N} N bytes of
 * payload, streamed as the send buffer drains so a gigabyte costs no more memory than a kilobyte. GET and
 * HEAD; pipelined requests are answered in order.
 */
final class Http extends TcpService.Connection {
    /** A request head larger than this is refused (431), so a client cannot make us buffer without end. */
    private static final int MAX_HEAD = 16_384;
    private static final byte[] PAYLOAD = Chargen.lines(95 * 74);

    private final NetStack stack;
    /** The request head being read; allocated when the client first sends, so an idle one costs nothing. */
    private byte[] in;
    private int inLen;
    private byte[] head;
    private int headOff;
    private long bodyLeft;
    private byte[] body;
    private int bodyOff;
    private boolean closeAfter;
    private boolean peerDone;

    Http(TcpSocket socket, NetStack stack) {
        super(socket);
        this.stack = stack;
    }

    @Override
    void readable() throws IOException {
        serve();
    }

    @Override
    void writable() throws IOException {
        serve();
    }

    /** Sends what the current response still owes, then takes the next request, until one side must wait. */
    private void serve() throws IOException {
        while (true) {
            if (!flush()) {
                return; // the send buffer is full: writable() resumes
            }
            if (closeAfter || (peerDone && inLen == 0)) {
                socket.close();
                return;
            }
            int end = headEnd();
            if (end < 0) {
                if (inLen == MAX_HEAD) {
                    respond(431, "text/plain", "request head too large\n".getBytes(StandardCharsets.US_ASCII), true, false);
                    continue;
                }
                if (in == null) {
                    in = new byte[MAX_HEAD];
                }
                int n = peerDone ? 0 : socket.tryRead(in, inLen, MAX_HEAD - inLen);
                if (n == 0) {
                    return; // wait for readable()
                }
                if (n < 0) {
                    peerDone = true;
                } else {
                    inLen += n;
                }
                continue;
            }
            String request = new String(in, 0, end, StandardCharsets.ISO_8859_1);
            System.arraycopy(in, end + 4, in, 0, inLen - end - 4);
            inLen -= end + 4;
            handle(request);
        }
    }

    /** The index of the blank line that ends the head, or -1. */
    private int headEnd() {
        for (int i = 0; in != null && i + 3 < inLen; i++) {
            if (in[i] == '\r' && in[i + 1] == '\n' && in[i + 2] == '\r' && in[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void handle(String request) {
        String[] lines = request.split("\r\n");
        String[] first = lines[0].split(" ");
        if (first.length != 3 || !first[2].startsWith("HTTP/1.")) {
            respond(400, "text/plain", "bad request line\n".getBytes(StandardCharsets.US_ASCII), true, false);
            return;
        }
        boolean http10 = first[2].equals("HTTP/1.0");
        String connection = header(lines, "connection");
        boolean close = http10 ? !"keep-alive".equalsIgnoreCase(connection) : "close".equalsIgnoreCase(connection);
        boolean headOnly = first[0].equals("HEAD");
        if (!first[0].equals("GET") && !headOnly) {
            respond(405, "text/plain", "only GET and HEAD\n".getBytes(StandardCharsets.US_ASCII), close, false);
            return;
        }
        if (header(lines, "content-length") != null || header(lines, "transfer-encoding") != null) {
            respond(400, "text/plain", "a GET carries no body here\n".getBytes(StandardCharsets.US_ASCII), true, false);
            return;
        }
        route(first[1], close, headOnly);
    }

    private void route(String target, boolean close, boolean headOnly) {
        try {
            if (target.equals("/")) {
                respond(200, "text/html; charset=utf-8", statusPage(), close, headOnly);
            } else if (target.equals("/stats")) {
                respond(200, "application/json", Json.MAPPER.writerWithDefaultPrettyPrinter()
                        .writeValueAsBytes(new StatsHandler(stack).execute(Json.MAPPER.createObjectNode())), close, headOnly);
            } else if (target.startsWith("/bytes/")) {
                long n = Long.parseLong(target.substring("/bytes/".length()));
                if (n < 0) {
                    throw new NumberFormatException();
                }
                startResponse(200, "application/octet-stream", n, close);
                if (!headOnly) {
                    body = PAYLOAD;
                    bodyOff = 0;
                    bodyLeft = n;
                }
            } else {
                respond(404, "text/plain", ("no " + target + " here; try /, /stats or /bytes/N\n")
                        .getBytes(StandardCharsets.UTF_8), close, headOnly);
            }
        } catch (NumberFormatException e) {
            respond(400, "text/plain", "/bytes/N wants a whole number of bytes\n".getBytes(StandardCharsets.US_ASCII),
                    close, headOnly);
        } catch (IOException | ControlException e) {
            respond(500, "text/plain", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8), true, headOnly);
        }
    }

    private static String header(String[] lines, String name) {
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return lines[i].substring(colon + 1).trim();
            }
        }
        return null;
    }

    private void respond(int status, String type, byte[] content, boolean close, boolean headOnly) {
        startResponse(status, type, content.length, close);
        if (!headOnly) {
            body = content;
            bodyOff = 0;
            bodyLeft = content.length;
        }
    }

    private void startResponse(int status, String type, long length, boolean close) {
        closeAfter = close;
        head = ("HTTP/1.1 " + status + " " + reason(status) + "\r\nServer: ustack\r\nContent-Type: " + type
                + "\r\nContent-Length: " + length + "\r\nConnection: " + (close ? "close" : "keep-alive") + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        headOff = 0;
        bodyLeft = 0;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            default -> "Internal Server Error";
        };
    }

    /** Writes what the response still owes; true when all of it is queued. */
    private boolean flush() throws IOException {
        while (head != null && headOff < head.length) {
            int n = socket.tryWrite(head, headOff, head.length - headOff);
            if (n == 0) {
                return false;
            }
            headOff += n;
        }
        head = null;
        while (bodyLeft > 0) {
            int chunk = (int) Math.min(bodyLeft, body.length - bodyOff);
            int n = socket.tryWrite(body, bodyOff, chunk);
            if (n == 0) {
                return false;
            }
            bodyLeft -= n;
            bodyOff = body == PAYLOAD ? (bodyOff + n) % PAYLOAD.length : bodyOff + n;
        }
        return true;
    }

    private byte[] statusPage() throws ControlException, IOException {
        ObjectNode none = Json.MAPPER.createObjectNode();
        StringBuilder sb = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>ustack</title>"
                + "<style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em}</style></head><body>"
                + "<h1>ustack</h1><p>A userspace TCP/IP stack, IPv4 and IPv6, answering from Java.</p>");
        section(sb, "Interfaces", new AddrHandler(stack).execute(none));
        section(sb, "Neighbours", new NeighListHandler(stack).execute(none));
        sb.append("<h2>Counters</h2><pre>");
        for (Map.Entry<String, Long> e : stack.stats().flat().entrySet()) {
            if (e.getValue() != 0) {
                sb.append(escape(e.getKey())).append(' ').append(e.getValue()).append('\n');
            }
        }
        return sb.append("</pre></body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void section(StringBuilder sb, String title, Object content) throws IOException {
        sb.append("<h2>").append(title).append("</h2><pre>")
                .append(escape(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(content))).append("</pre>");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
