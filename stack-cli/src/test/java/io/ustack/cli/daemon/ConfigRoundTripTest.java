package io.ustack.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.cli.control.Json;
import io.ustack.cli.control.handlers.AddrAddHandler;
import io.ustack.cli.control.handlers.AddrDelHandler;
import io.ustack.cli.control.handlers.AddrHandler;
import io.ustack.cli.control.handlers.IptablesHandler;
import io.ustack.cli.control.handlers.RouteAddHandler;
import io.ustack.cli.control.handlers.RouteDelHandler;
import io.ustack.cli.control.handlers.RouteListHandler;
import io.ustack.cli.control.handlers.RuleChangeHandler;
import io.ustack.cli.control.handlers.RuleListHandler;
import io.ustack.cli.control.handlers.SysctlHandler;
import io.ustack.core.link.NetDevice;
import io.ustack.core.route.Route;
import io.ustack.core.netfilter.NfProto;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.stack.Sysctl;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.wire.Ipv4Prefix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Save and reload over stacks on fake devices: a state built from a file and changed with the control commands,
 * saved, and started again from the saved file is the same state; a reload applies only the difference.
 */
class ConfigRoundTripTest {
    @TempDir
    Path dir;
    private final List<NetStack> stacks = new ArrayList<>();

    private static final String FILE = """
            interfaces:
              tapL:
                addr: [10.1.0.1/24, fd00:1::1/64]
                host: 10.1.0.254/24
                dhcp: 10.1.0.100-10.1.0.110
                ra: on
              tapR:
                addr: 10.2.0.1/24
                mtu: 9000
            routes:
              - default via 10.2.0.254
            sysctl:
              net.ipv4.ip_forward: 1
            """;

    /** Fake devices for the TAPs; released is every device handed back. */
    private static final class FakeLinks implements ConfigApplier.Links {
        final List<NetDevice> released = new ArrayList<>();

        @Override
        public NetDevice open(IfaceSpec spec) {
            return new FakeDevice(spec.name(), spec.tap().mac(), spec.tap().mtu(), NetDevice.DEFAULT_TX_QUEUE_LEN);
        }

        @Override
        public void release(NetDevice dev) {
            released.add(dev);
        }
    }

    @AfterEach
    void closeStacks() {
        stacks.forEach(NetStack::close);
    }

    @Test
    void whatIsSavedStartsTheSameState() throws Exception {
        Path file = write("ustack.yaml", FILE);
        ConfigSource.Loaded first = new ConfigSource(file, ConfigSource.Flags.none()).load();
        NetStack a = stack();
        ConfigApplier applierA = new ConfigApplier(a, new FakeLinks(), RuleLoader.forStack(a));
        applierA.apply(first.config());
        // changes made with the commands while the daemon ran
        run(new AddrAddHandler(a), "{\"local\":\"10.1.0.7/24\",\"dev\":\"tapL\"}");
        run(new AddrAddHandler(a), "{\"local\":\"10.3.0.1/16\",\"dev\":\"tapR\"}");
        run(new RouteAddHandler(a), "{\"dst\":\"10.9.0.0/16\",\"gateway\":\"10.1.0.254\"}");
        run(new RouteDelHandler(a), "{\"dst\":\"default\"}");
        run(new RouteAddHandler(a), "{\"dst\":\"default\",\"gateway\":\"10.3.0.9\",\"dev\":\"tapR\"}");
        run(new SysctlHandler(a), "{\"settings\":[\"net.ipv4.tcp_sack=0\",\"net.ipv4.tcp_rmem=4096 65536 1048576\"]}");
        // policy routing: another table, an error route, a multipath route and rules
        run(new RouteAddHandler(a), "{\"dst\":\"default\",\"gateway\":\"10.1.0.254\",\"table\":\"100\"}");
        run(new RouteAddHandler(a), "{\"dst\":\"172.16.0.0/12\",\"type\":\"blackhole\"}");
        run(new RouteAddHandler(a), "{\"dst\":\"198.51.100.0/24\",\"nexthops\":[{\"gateway\":\"10.1.0.254\"},"
                + "{\"gateway\":\"10.3.0.9\",\"weight\":3}]}");
        // IPv6 routes: via a gateway on a connected network, via a link-local one, an error route
        run(new RouteAddHandler(a), "{\"dst\":\"fd00:9::/64\",\"gateway\":\"fd00:1::fe\"}");
        run(new RouteAddHandler(a), "{\"dst\":\"::/0\",\"gateway\":\"fe80::1\",\"dev\":\"tapR\"}");
        run(new RouteAddHandler(a), "{\"dst\":\"fd00:bad::/48\",\"type\":\"unreachable\"}");
        run(new RuleChangeHandler(a, true), "{\"words\":[\"from\",\"10.1.0.0/24\",\"lookup\",\"100\"]}");
        run(new RuleChangeHandler(a, true), "{\"words\":[\"fwmark\",\"0x7\",\"prohibit\"]}");
        // firewall rules through the real engine: a user chain, a jump and NAT
        run(new IptablesHandler(a, NfProto.IPV4), "{\"args\":[\"-N\",\"web\"]}");
        run(new IptablesHandler(a, NfProto.IPV4), "{\"args\":[\"-A\",\"web\",\"-p\",\"tcp\",\"--dport\",\"80\",\"-j\",\"ACCEPT\"]}");
        run(new IptablesHandler(a, NfProto.IPV4), "{\"args\":[\"-A\",\"FORWARD\",\"-i\",\"tapL\",\"-j\",\"web\"]}");
        run(new IptablesHandler(a, NfProto.IPV4), "{\"args\":[\"-t\",\"nat\",\"-A\",\"POSTROUTING\",\"-o\",\"tapR\",\"-j\",\"MASQUERADE\"]}");
        // and IPv6's, which go to their own key (rules6)
        run(new IptablesHandler(a, NfProto.IPV6), "{\"args\":[\"-A\",\"INPUT\",\"-p\",\"ipv6-icmp\",\"--icmpv6-type\","
                + "\"echo-request\",\"-j\",\"DROP\"]}");

        String saved = ConfigWriter.write(applierA.running(first.config()), first.serve(), "info", List.of("saved"));
        Path savedFile = write("saved.yaml", saved);
        ConfigSource.Loaded second = new ConfigSource(savedFile, ConfigSource.Flags.none()).load();
        NetStack b = stack();
        ConfigApplier applierB = new ConfigApplier(b, new FakeLinks(), RuleLoader.forStack(b));
        applierB.apply(second.config());

        assertEquals(saved, ConfigWriter.write(applierB.running(second.config()), second.serve(), "info", List.of("saved")),
                "saved again, the file is the same");
        assertEquals(dump(new RouteListHandler(a), "{\"table\":\"all\"}"), dump(new RouteListHandler(b), "{\"table\":\"all\"}"));
        assertEquals(dump(new RouteListHandler(a), "{\"family\":\"inet6\"}"),
                dump(new RouteListHandler(b), "{\"family\":\"inet6\"}"));
        assertTrue(saved.contains("  - \"fd00:9::/64 via fd00:1::fe dev tapL\"\n  - \"default via fe80::1 dev tapR\"\n"
                + "  - \"unreachable fd00:bad::/48\"\n"), saved);
        assertEquals(dump(new RuleListHandler(a)), dump(new RuleListHandler(b)));
        assertEquals(RuleLoader.forStack(a).save(), RuleLoader.forStack(b).save(), "the same firewall rules");
        assertEquals(RuleLoader.forStack(a, NfProto.IPV6).save(), RuleLoader.forStack(b, NfProto.IPV6).save());
        assertTrue(saved.contains("rules6: |\n  *filter\n  :INPUT ACCEPT [0:0]\n  :FORWARD ACCEPT [0:0]\n"
                + "  :OUTPUT ACCEPT [0:0]\n  -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j DROP\n  COMMIT\n"), saved);
        assertTrue(saved.contains("  -A web -p tcp -m tcp --dport 80 -j ACCEPT\n"), saved);
        assertTrue(saved.contains("ip-rules:\n  - \"priority 32764 fwmark 0x7 prohibit\"\n"
                + "  - \"priority 32765 from 10.1.0.0/24 lookup 100\"\n"), saved);
        assertTrue(saved.contains("  - \"198.51.100.0/24 nexthop via 10.1.0.254 dev tapL nexthop via 10.3.0.9 dev tapR "
                + "weight 3\"\n"), saved);
        assertEquals(addresses(a), addresses(b));
        assertEquals(new Sysctl(a).writable(), new Sysctl(b).writable());
        assertEquals(List.of("tapL", "tapR"), b.devices().stream().filter(d -> !d.isLoopback()).map(NetDevice::name).toList());
        assertEquals(a.device("tapL").mac(), b.device("tapL").mac(), "a random MAC is saved, so it stays across restarts");
        assertEquals(9000, b.device("tapR").mtu());
        assertTrue(saved.contains("      - 10.1.0.7/24\n"), saved);
        assertTrue(saved.contains("  - \"default via 10.3.0.9 dev tapR\"\n"), saved);
        assertTrue(saved.contains("  net.ipv4.tcp_rmem: \"4096 65536 1048576\"\n"), saved);
        assertTrue(saved.contains("    dhcp: 10.1.0.100-10.1.0.110\n"), saved);
        assertTrue(saved.contains("    ra: on\n") && saved.contains("    ra: off\n"), saved);
        assertTrue(b.routerAdvertisements(b.device("tapL")), "tapL advertises again");
        assertFalse(b.routerAdvertisements(b.device("tapR")));
    }

    @Test
    void aReloadChangesOnlyWhatDiffers() throws Exception {
        Path file = write("ustack.yaml", FILE);
        ConfigSource source = new ConfigSource(file, ConfigSource.Flags.none());
        NetStack a = stack();
        FakeLinks links = new FakeLinks();
        ConfigApplier applier = new ConfigApplier(a, links, RuleLoader.forStack(a));
        applier.apply(source.load().config());
        NetDevice tapL = a.device("tapL");
        NetDevice tapR = a.device("tapR");
        Route connected = a.fib().lookup(Ipv4Prefix.parse("10.1.0.5/32").address());
        run(new RouteAddHandler(a), "{\"dst\":\"10.7.0.0/16\",\"dev\":\"tapL\"}");

        write("ustack.yaml", """
                interfaces:
                  tapL:
                    addr: [10.1.0.1/24, 10.1.0.2/24, fd00:1::1/64]
                    host: 10.1.0.254/24
                    dhcp: 10.1.0.100-10.1.0.110
                  tapN:
                    addr: 10.4.0.1/24
                routes:
                  - default via 10.4.0.254
                  - 10.8.0.0/16 via 10.1.0.254
                sysctl:
                  net.ipv4.ip_forward: 1
                  net.ipv4.tcp_sack: 0
                """);
        List<String> changes = applier.apply(source.load().config());

        assertEquals(List.of("removed tapR", "route del 10.7.0.0/16 dev tapL", "addr add 10.1.0.2/24 dev tapL", "added tapN",
                "addr add 10.4.0.1/24 dev tapN", "route add default via 10.4.0.254 dev tapN",
                "route add 10.8.0.0/16 via 10.1.0.254 dev tapL", "ra off dev tapL", "sysctl net.ipv4.tcp_sack = 0"), changes);
        assertFalse(a.routerAdvertisements(tapL));
        assertSame(tapL, a.device("tapL"), "an interface whose link settings stay is kept, with its connections");
        assertSame(connected, a.fib().lookup(Ipv4Prefix.parse("10.1.0.5/32").address()), "its connected route too");
        assertEquals(null, a.device("tapR"));
        assertEquals(List.of(tapR), links.released, "the interface removed is released");
        assertEquals(List.of(), applier.apply(source.load().config()), "applied again, nothing changes");

        write("ustack.yaml", FILE.replace("  tapR", "  tapN"));
        NetDevice tapN = a.device("tapN");
        List<String> again = applier.apply(source.load().config());
        assertTrue(again.contains("reopened tapN"), "a new MTU takes a new TAP: " + again);
        assertEquals(9000, a.device("tapN").mtu());
        assertTrue(links.released.contains(tapN));
    }

    @Test
    void aBadFileChangesNothing() throws Exception {
        Path file = write("ustack.yaml", FILE);
        ConfigSource source = new ConfigSource(file, ConfigSource.Flags.none());
        NetStack a = stack();
        ConfigApplier applier = new ConfigApplier(a, new FakeLinks(), RuleLoader.forStack(a));
        applier.apply(source.load().config());
        String before = ConfigWriter.write(applier.running(source.load().config()), "all", "info", List.of());

        write("ustack.yaml", FILE.replace("default via 10.2.0.254", "default via 10.99.0.1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, source::load);
        assertEquals(file + ", line 11: cannot add the route default via 10.99.0.1: gateway 10.99.0.1 is not on a "
                + "connected network", e.getMessage());
        write("ustack.yaml", FILE);
        assertEquals(before, ConfigWriter.write(applier.running(source.load().config()), "all", "info", List.of()));
    }

    /** The seam as an iptables-restore engine will fill it: the rules' text kept whole, a bad line refused. */
    private static final class TextRules implements RuleLoader {
        String text = "";

        @Override
        public void restore(String rules) {
            if (rules.contains("-j BOGUS")) {
                throw new IllegalArgumentException("line 2: there is no target BOGUS");
            }
            text = rules;
        }

        @Override
        public String save() {
            return text;
        }
    }

    @Test
    void rulesGoThroughTheSeamWholeAndComeBackInTheSavedFile() throws Exception {
        String rules = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j DROP\nCOMMIT\n";
        Path file = write("ustack.yaml", FILE + "rules: |\n" + rules.indent(2));
        ConfigFile.Settings settings = ConfigFile.read(file);
        assertEquals(rules, settings.rules().text());
        DaemonConfig config = DaemonConfig.parseSourced(settings.ifaces(), settings.routes(), 1).withRules(settings.rules());
        NetStack a = stack();
        TextRules engine = new TextRules();
        ConfigApplier applier = new ConfigApplier(a, new FakeLinks(), engine);
        assertTrue(applier.apply(config).contains("rules restored"));
        assertEquals(rules, engine.text);
        assertTrue(!applier.apply(config).contains("rules restored"), "the same rules again are no change");

        String saved = ConfigWriter.write(applier.running(config), "all", "info", List.of());
        assertEquals(rules, ConfigFile.parse(saved, file).rules().text(), "saved inline, read back the same");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> applier.apply(
                config.withRules(new Sourced(rules.replace("DROP", "BOGUS"), file + ", the rules from line 14"))));
        assertEquals(file + ", the rules from line 14: line 2: there is no target BOGUS", e.getMessage());
        assertEquals(rules, engine.text, "a refused restore changes nothing");
    }

    private NetStack stack() {
        NetStack s = new NetStack(StackConfig.defaults().withBacklogThreads(0));
        stacks.add(s);
        return s;
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static Object run(ControlHandler h, String args) throws IOException, ControlException {
        return h.execute((ObjectNode) Json.MAPPER.readTree(args));
    }

    private static String dump(ControlHandler h) throws Exception {
        return Json.MAPPER.writeValueAsString(h.execute(Json.MAPPER.createObjectNode()));
    }

    private static String dump(ControlHandler h, String args) throws Exception {
        return Json.MAPPER.writeValueAsString(run(h, args));
    }

    /** Each interface's addresses as ip -j addr lists them, without the counters (traffic may differ). */
    private static List<String> addresses(NetStack s) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode link : Json.MAPPER.readTree(dump(new AddrHandler(s)))) {
            out.add(link.path("ifname").asText() + " " + link.path("address").asText() + " " + link.path("addr_info"));
        }
        return out;
    }
}
