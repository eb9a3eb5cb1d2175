package io.ustack.cli.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.cli.UserException;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.stats.Mib;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The metrics endpoint over a real socket: a stack without devices, scraped as Prometheus scrapes it. */
class MetricsServerTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void scrapedCountersMoveWithTheStack() throws Exception {
        try (NetStack stack = new NetStack(StackConfig.defaults().withBacklogThreads(0).withHousekeepingMs(0));
             MetricsServer server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     new StackMetrics(stack::stats))) {
            String before = scrape(server);
            assertTrue(before.startsWith("# HELP") || before.contains("# TYPE"), before);
            assertTrue(before.contains("# TYPE ustack_tcp_curr_estab gauge"), before);
            assertTrue(before.contains("ustack_link_rx_packets_total{device=\"lo\"}"), before);
            stack.mib().add(Mib.IpInReceives, 5);
            String after = scrape(server);
            assertEquals(value(before, "ustack_ip_in_receives_total") + 5, value(after, "ustack_ip_in_receives_total"));
        }
    }

    @Test
    void aPortInUseIsOneSentenceAndNothingRuns() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort());
            UserException e = assertThrows(UserException.class, () -> MetricsServer.start(a, () -> null));
            assertEquals("cannot serve metrics on 127.0.0.1:" + taken.getLocalPort() + ": Address already in use",
                    e.getMessage());
        }
    }

    @Test
    void addrPortParsed() {
        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9464), MetricsServer.parseAddress("127.0.0.1:9464"));
        assertEquals(new InetSocketAddress(9464), MetricsServer.parseAddress(":9464"));
        assertEquals(9464, MetricsServer.parseAddress("[::1]:9464").getPort());
        assertEquals("--metrics '9464' has no port: give ADDR:PORT, as 127.0.0.1:9464",
                assertThrows(IllegalArgumentException.class, () -> MetricsServer.parseAddress("9464")).getMessage());
        assertEquals("--metrics '127.0.0.1:http': the port must be a number from 1 to 65535, not 'http'",
                assertThrows(IllegalArgumentException.class, () -> MetricsServer.parseAddress("127.0.0.1:http")).getMessage());
        assertEquals("--metrics '127.0.0.1:70000': the port must be a number from 1 to 65535, not '70000'",
                assertThrows(IllegalArgumentException.class, () -> MetricsServer.parseAddress("127.0.0.1:70000")).getMessage());
        assertEquals("--metrics '10.0.0.256:9464': '10.0.0.256' is not an IP address",
                assertThrows(IllegalArgumentException.class, () -> MetricsServer.parseAddress("10.0.0.256:9464")).getMessage());
    }

    private static String scrape(MetricsServer server) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + MetricsServer.describe(server.address()) + "/metrics");
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        return r.body();
    }

    private static long value(String text, String metric) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + " (\\S+)$").matcher(text);
        assertTrue(m.find(), metric + " in " + text);
        return (long) Double.parseDouble(m.group(1));
    }
}
