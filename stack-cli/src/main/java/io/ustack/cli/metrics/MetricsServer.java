package io.ustack.cli.metrics;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.ustack.cli.UserException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code daemon --metrics ADDR:PORT}: the Prometheus client library's HTTP server on a host TCP socket,
 * serving {@code /metrics} (Prometheus' text format, or OpenMetrics when the scraper asks for it) from a
 * {@link StackMetrics}. Two threads ({@code ustack-metrics}) answer scrapes; more waiting than its queue holds
 * are answered on the accepting thread, so a burst of scrapers slows down rather than piles up.
 */
public final class MetricsServer implements AutoCloseable {
    /** The example used in messages and documentation. */
    public static final String EXAMPLE = "127.0.0.1:9464";
    private static final int THREADS = 2;
    private static final int QUEUE = 16;
    private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");

    private final HTTPServer server;
    private final InetSocketAddress address;

    private MetricsServer(HTTPServer server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /**
     * Parses {@code ADDR:PORT}: an IPv4 address, {@code [IPv6]} or {@code localhost}, or nothing for every address
     * ({@code :9464}), and a port from 1 to 65535 (0 lets the system choose one, for tests).
     *
     * @throws IllegalArgumentException with one sentence naming what is wrong
     */
    public static InetSocketAddress parseAddress(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--metrics '" + text + "' has no port: give ADDR:PORT, as " + EXAMPLE);
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535 || !portText.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("--metrics '" + text + "': the port must be a number from 1 to 65535, not '"
                    + portText + "'");
        }
        boolean v6 = host.startsWith("[") && host.endsWith("]");
        if (v6) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("--metrics '" + text + "': write an IPv6 address in brackets, as [::1]:9464");
        }
        if (host.isEmpty()) {
            return new InetSocketAddress(port);
        }
        if (host.equals("localhost")) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }
        // literals only: InetAddress parses these without asking DNS, so a typo cannot hang the start
        if (v6 ? !host.matches("[0-9A-Fa-f:.]+") : !IPV4.matcher(host).matches()) {
            throw new IllegalArgumentException("--metrics '" + text + "': '" + host + "' is not an IP address");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--metrics '" + text + "': '" + host + "' is not an IP address");
        }
    }

    /**
     * Starts serving {@code metrics} on {@code address}.
     *
     * @throws UserException with one sentence if the socket cannot be bound (the port is in use, the address
     *                       is not this host's); nothing is left running then
     */
    public static MetricsServer start(InetSocketAddress address, MultiCollector metrics) {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), new DefaultThreadFactory("ustack-metrics", true),
                new ThreadPoolExecutor.CallerRunsPolicy());
        try {
            HTTPServer server = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort())
                    .registry(registry).executorService(executor).buildAndStart();
            return new MetricsServer(server, new InetSocketAddress(address.getAddress(), server.getPort()));
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw new UserException("cannot serve metrics on " + describe(address) + ": " + e.getMessage());
        }
    }

    /** The address served, with the port the system chose if 0 was asked for. */
    public InetSocketAddress address() {
        return address;
    }

    /** ADDR:PORT as a user writes it. */
    public static String describe(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Stops serving; idempotent. */
    @Override
    public void close() {
        server.close();
    }
}
