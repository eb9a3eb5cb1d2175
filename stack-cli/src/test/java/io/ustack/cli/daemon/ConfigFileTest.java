package io.ustack.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.cli.Logging;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The configuration file: what a good one gives, and each kind of mistake refused at its line. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private static final String GOOD = """
            # a router between two links
            interfaces:
              tapL:
                addr: [10.1.0.1/24, 10.1.0.9/24, fd00:1::1/64]
                host: 10.1.0.254/24
                mac: 02:00:00:00:01:01
                mtu: 9000
                offload: off
                dhcp: 10.1.0.100-10.1.0.199
                dhcp-dns: 9.9.9.9
                ra: on
              tapR:
                addr: 10.2.0.1/24
            routes:
              - default via 10.2.0.254
              - 10.9.0.0/16 dev tapL
            sysctl:
              net.ipv4.ip_forward: 1
              net.ipv4.tcp_rmem: 4096 65536 1048576
            backlog-threads: 2
            serve: [echo, http]
            metrics: 127.0.0.1:9100
            dhcp-leases: leases/dhcp.leases
            log-level: debug
            """;

    @Test
    void aGoodFileGivesEverySetting() throws IOException {
        ConfigSource.Loaded l = load(GOOD, ConfigSource.Flags.none());
        DaemonConfig c = l.config();
        assertEquals(List.of("tapL 10.1.0.1/24 10.1.0.9/24 fd00:1::1/64 (host 10.1.0.254/24) dhcp 10.1.0.100-10.1.0.199 ra",
                "tapR 10.2.0.1/24"), c.ifaces().stream().map(IfaceSpec::describe).toList());
        IfaceSpec l0 = c.ifaces().get(0);
        assertEquals(MacAddress.parse("02:00:00:00:01:01"), l0.tap().mac());
        assertEquals(9000, l0.tap().mtu());
        assertEquals(false, l0.tap().offload(), "off is the word off, not YAML 1.1's false");
        assertTrue(l0.ra(), "on is the word on, not YAML 1.1's true");
        assertEquals(List.of("default via 10.2.0.254", "10.9.0.0/16 dev tapL"),
                c.routes().stream().map(RouteSpec::describe).toList());
        assertEquals(Map.of("net.ipv4.ip_forward", "1", "net.ipv4.tcp_rmem", "4096 65536 1048576"), c.sysctls());
        assertEquals(2, c.backlogThreads());
        assertEquals(9100, c.metrics().getPort());
        assertEquals(dir.resolve("leases/dhcp.leases"), c.dhcpLeases(), "relative to the file's folder");
        assertEquals("echo,http", l.serve());
        assertEquals(Logging.Level.DEBUG, l.logLevel());
        assertNull(c.rules());
    }

    @Test
    void anEmptyFileIsTheDefaults() throws IOException {
        ConfigSource.Loaded l = load("# nothing yet\n", ConfigSource.Flags.none());
        assertEquals(DaemonConfig.DEFAULT_IFACE.split(",")[0], l.config().ifaces().get(0).name());
        assertEquals("all", l.serve());
        assertEquals(Logging.Level.INFO, l.logLevel());
    }

    @Test
    void flagsAddToTheFileAndWinWhereTheyOverlap() throws IOException {
        ConfigSource.Flags flags = new ConfigSource.Flags(List.of("tapX,addr=10.3.0.1/24"), List.of("10.8.0.0/16 via 10.3.0.2"),
                List.of("net.ipv4.tcp_rmem=4096 131072 6291456"), 4, false, null, null, null, "none", null);
        ConfigSource.Loaded l = load(GOOD, flags);
        assertEquals(List.of("tapL", "tapR", "tapX"), l.config().ifaces().stream().map(IfaceSpec::name).toList());
        assertEquals(3, l.config().routes().size());
        assertEquals("4096 131072 6291456", l.config().sysctls().get("net.ipv4.tcp_rmem"), "--sysctl after the file's");
        assertEquals(4, l.config().backlogThreads());
        assertEquals("none", l.serve());
        assertEquals(Logging.Level.DEBUG, l.logLevel(), "the file's, as no flag was given");
    }

    @Test
    void anInterfaceInTheFileAndOnTheCommandLineIsRefused() {
        ConfigSource.Flags flags = new ConfigSource.Flags(List.of("tapR"), List.of(), List.of(), null, false, null,
                null, null, null, null);
        assertEquals("--iface 'tapR': tapR is given twice", assertThrows(IllegalArgumentException.class,
                () -> load(GOOD, flags)).getMessage());
    }

    @Test
    void inlineRulesGoToTheRuleEngineWithTheirLine() throws IOException {
        String good = "interfaces:\n  tap0:\n    addr: 10.1.0.1/24\nrules: |\n  *filter\n  -A INPUT -p tcp --dport 22 -j DROP\n  COMMIT\n";
        load(good, ConfigSource.Flags.none());
        String bad = "interfaces:\n  tap0:\n    addr: 10.1.0.1/24\nrules: |\n  *filter\n  -A INPUT -p tcp --dport 22 -j DROPP\n  COMMIT\n";
        assertEquals(file() + ", the rules from line 5: iptables-restore: line 2 failed: Chain 'DROPP' does not exist",
                assertThrows(IllegalArgumentException.class, () -> load(bad, ConfigSource.Flags.none())).getMessage());
    }

    @Test
    void aRulesFileBesideTheConfig() throws IOException {
        Files.writeString(dir.resolve("firewall.rules"), "*filter\nCOMMIT\n");
        ConfigFile.Settings s = ConfigFile.parse("rules: firewall.rules\n", file());
        assertEquals("*filter\nCOMMIT\n", s.rules().text());
        assertEquals("the rules file " + dir.resolve("firewall.rules"), s.rules().where());
        assertEquals(file() + ", line 1: rules: cannot read " + dir.resolve("missing.rules") + ": there is no such file",
                assertThrows(IllegalArgumentException.class,
                        () -> ConfigFile.parse("rules: missing.rules\n", file())).getMessage());
    }

    /** Each mistake, the file that has it (\n for line breaks) and the sentence, which starts with its line. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            interfaces:\\n  tap0:\\n    mtu: 9\\n                   | line 3: interface tap0: mtu must be a number between 68 and 65535
            interfaces:\\n  tap0:\\n    mtu: 1500\\n    mac: zz\\n  | line 4: interface tap0: mac: 'zz' is not a MAC address (want six hex bytes like 02:00:00:00:00:01)
            interfaces:\\n  tap0:\\n    addr: 10.1.0.1\\n          | line 3: interface tap0: addr needs its prefix length, like addr=10.1.0.1/24
            interfaces:\\n  tap0:\\n    addr: [10.1.0.1/24, 10.1.0.2]\\n | line 3: interface tap0: addr needs its prefix length, like addr=10.1.0.2/24
            interfaces:\\n  tap0:\\n    offload: no\\n             | line 3: interface tap0: offload must be on or off, not 'no'
            interfaces:\\n  tap0:\\n    colour: red\\n             | line 2: interface tap0: unknown key 'colour' (keys: addr, host, mac, mtu, queues, offload, ra, dhcp, dhcp-lease, dhcp-dns, dhcp-static)
            interfaces:\\n  tap0:\\n    addr: a,b\\n               | line 3: interface tap0: addr holds a ',': give a list, like addr: [A, B]
            interfaces:\\n  tap0:\\n    mtu: [1, 2]\\n             | line 3: mtu must be a single value, not a list
            interfaces:\\n  tap0:\\n    mtu:\\n                    | line 3: mtu has no value
            interfaces:\\n  tap0:\\n    addr: 10.1.0.1/24\\n    dhcp: 10.9.0.1-10.9.0.2\\n | line 4: interface tap0: dhcp=10.9.0.1-10.9.0.2 is not inside the interface's network 10.1.0.0/24
            interfaces:\\n  tap0:\\n    addr: 10.1.0.1/24\\n    dhcp-lease: 600\\n | line 4: interface tap0: dhcp-lease, dhcp-dns and dhcp-static need a pool, like dhcp=10.1.0.100-10.1.0.199
            interfaces:\\n  tap0:\\n    addr: 10.1.0.1/24\\n    host: 10.1.0.1/24\\n | line 2: interface tap0: addr and host are both 10.1.0.1; the stack and the host side each need their own address
            interfaces:\\n  tap0:\\n    addr: 10.1.0.1/24\\n  tap1:\\n    addr: 10.1.0.1/24\\n | line 4: interface tap1: 10.1.0.1 is already the addr of tap0
            interfaces:\\n  tap0:\\n  tap0:\\n                     | line 3: tap0 is given twice in interfaces
            interfaces:\\n  abcdefghijklmnop:\\n                  | line 2: interface abcdefghijklmnop: interface name 'abcdefghijklmnop' is longer than 15 characters, the kernel's limit
            interfaces: [tap0]\\n                                | line 1: interfaces must be a mapping of KEY: VALUE lines
            routes:\\n  - 10.0.0.0/8\\n                        | line 2: a route needs 'via GATEWAY' or 'dev NAME'; it reads PREFIX via GATEWAY, PREFIX dev NAME or default via GATEWAY
            routes:\\n  - 10.0.0.0/8 dev tap9\\n                | line 2: there is no interface named tap9
            interfaces:\\n  tap0:\\n    addr: 10.1.0.1/24\\nroutes:\\n  - 10.0.0.0/8 via 10.5.0.1\\n | line 5: cannot add the route 10.0.0.0/8 via 10.5.0.1: gateway 10.5.0.1 is not on a connected network
            sysctl:\\n  net.ipv4.tcp_sack: 2\\n                 | line 2: net.ipv4.tcp_sack must be 0 or 1, not '2'
            sysctl:\\n  net.ipv4.nope: 1\\n                     | line 2: there is no sysctl key net.ipv4.nope (ustack sysctl -a lists them)
            backlog-threads: many\\n                            | line 1: backlog-threads must be a whole number, not 'many'
            backlog-threads: 5000\\n                            | line 1: --backlog-threads must be between 0 (no RPS: packets are processed on the poll threads) and 1024, not 5000
            serve: [echo, gopher]\\n                            | line 1: --serve 'echo,gopher': there is no service 'gopher'; the services are echo, discard, chargen, http, iperf3, or all, or none
            metrics: 9100\\n                                    | line 1: --metrics '9100' has no port: give ADDR:PORT, as 127.0.0.1:9464
            log-level: loud\\n                                  | line 1: log-level must be error, warning, info, debug, trace or off, not 'loud'
            ip-rules:\\n  - from 10.1.0.0/24\\n                | line 2: a rule needs 'lookup TABLE' or blackhole, unreachable or prohibit
            ip-rules:\\n  - from 10.1.0.0/24 lookup x\\n       | line 2: 'x' is not a table: main, default, local or a number from 1 to 4294967295
            routes:\\n  - 10.0.0.0/8 via 10.1.0.9 table 0\\n | line 2: '0' is not a table: main, default, local or a number from 1 to 4294967295
            colour: red\\n                                      | line 1: unknown key 'colour' (keys: interfaces, routes, ip-rules, sysctl, backlog-threads, serve, metrics, dhcp-leases, log-level, rules, rules6)
            interfaces:\\n  tap0: {addr: 10.1.0.1/24\\n        | line 3: this is not YAML: expected ',' or '}', but got <stream end>
            routes:\\n\\t- x\\n                              | line 2: this is not YAML: found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for indentation)
            - a list\\n                                         | line 1: the file must be a mapping of KEY: VALUE lines
            """)
    void eachMistakeIsRefusedAtItsLine(String text, String sentence) {
        String yaml = text.strip().replace("\\n", "\n").replace("\\t", "\t");
        assertEquals(file() + ", " + sentence, assertThrows(IllegalArgumentException.class,
                () -> load(yaml, ConfigSource.Flags.none())).getMessage());
    }

    @Test
    void aMissingFileIsSaidSo() {
        Path none = dir.resolve("none.yaml");
        assertEquals(none + ": there is no such file", assertThrows(IllegalArgumentException.class,
                () -> new ConfigSource(none, ConfigSource.Flags.none()).load()).getMessage());
    }

    @Test
    void valuesReadAsTheirTextWhateverYamlWouldMakeOfThem() {
        ConfigFile.Settings s = ConfigFile.parse("interfaces:\n  tap0:\n    offload: on\n    addr: \"10.1.0.1/24\"\n", file());
        assertEquals("tap0,offload=on,addr=10.1.0.1/24", s.ifaces().get(0).text());
        assertEquals(List.of(Ipv4Prefix.parse("10.1.0.1/24")), IfaceSpec.parse(s.ifaces().get(0).text()).addrs());
    }

    private Path file() {
        return dir.resolve("ustack.yaml");
    }

    private ConfigSource.Loaded load(String text, ConfigSource.Flags flags) throws IOException {
        Files.writeString(file(), text);
        return new ConfigSource(file(), flags).load();
    }
}
