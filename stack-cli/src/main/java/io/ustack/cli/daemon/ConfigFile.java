package io.ustack.cli.daemon;

import io.ustack.cli.Logging;
import io.ustack.cli.metrics.MetricsServer;
import io.ustack.cli.services.ServiceList;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the daemon's configuration file ({@code ustack daemon --config FILE}), YAML edited by hand:
 *
 * <pre>
 * interfaces:
 *   tap0:
 *     addr: [10.77.0.2/24, fd00:77::2/64]
 *     host: 10.77.0.1/24
 * routes:
 *   - default via 10.77.0.1
 *   - default via 10.78.0.1 table 100
 * ip-rules:
 *   - from 10.1.0.0/24 lookup 100
 * sysctl:
 *   net.ipv4.ip_forward: 1
 * rules: firewall.rules
 * rules6: firewall6.rules
 * </pre>
 *
 * An interface takes the keys of {@code --iface} (a list where the key may repeat), a route is a ROUTE, and the
 * other keys are the daemon's options of the same name. Every value is read as the text it is written as (YAML
 * 1.1's {@code off} stays "off", not false), and every refusal starts with the file and the line. The file
 * says what to set up; {@link DaemonConfig} checks it as a whole with the command line's flags.
 */
public final class ConfigFile {
    static final String KEYS = "interfaces, routes, ip-rules, sysctl, backlog-threads, serve, metrics, dhcp-leases, "
            + "log-level, rules, rules6";
    /** The keys of --iface that may be given a list, because the SPEC may repeat them. */
    private static final Set<String> LIST_KEYS = Set.of("addr", "host", "dhcp-dns", "dhcp-static");
    /** The --iface keys that stand alone; the dhcp- ones are checked with the pool they belong to. */
    private static final Set<String> ALONE_KEYS = Set.of("addr", "host", "mac", "mtu", "queues", "offload", "ra");
    /** A hand-edited configuration is a few kilobytes; this stops a wrong file, not a right one. */
    static final int MAX_CHARS = 1 << 20;

    /**
     * What the file says, each setting with its line; null or empty where the file says nothing.
     *
     * @param ifaces         --iface SPECs, at the line of the interface's name
     * @param routes         ROUTEs
     * @param sysctls        NAME=VALUE settings
     * @param backlogThreads the backlog-threads key
     * @param serve          the serve key, as --serve's LIST
     * @param metrics        the metrics key, as --metrics' ADDR:PORT
     * @param dhcpLeases     the dhcp-leases key, resolved against the file's folder
     * @param logLevel       the log-level key
     * @param rules          the firewall rules in iptables-save's format: the text of the file the rules key
     *                       names (beside this one), or the text written inline
     * @param rules6         the IPv6 firewall rules in ip6tables-save's format, read as {@code rules} is
     * @param ipRules        policy routing rules in ip rule's words
     */
    public record Settings(List<Sourced> ifaces, List<Sourced> routes, List<Sourced> sysctls, Integer backlogThreads,
                           String serve, String metrics, Path dhcpLeases, String logLevel, Sourced rules,
                           Sourced rules6, List<Sourced> ipRules) {
    }

    private final Path file;
    private final String name;

    private ConfigFile(Path file) {
        this.file = file;
        this.name = file.toString();
    }

    /**
     * Reads and parses {@code file}.
     *
     * @throws IllegalArgumentException with one sentence that starts with the file and, for what is in it,
     *                                  the line
     */
    public static Settings read(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_CHARS) {
                throw new IllegalArgumentException(file + ": is larger than " + MAX_CHARS / 1024
                        + " KiB; is it the configuration file?");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": there is no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage());
        }
        return parse(text, file);
    }

    /**
     * Parses {@code text} as the contents of {@code file} (which names it in refusals and is where relative
     * paths start).
     *
     * @throws IllegalArgumentException with one sentence that starts with the file and the line
     */
    public static Settings parse(String text, Path file) {
        return new ConfigFile(file).parse(text);
    }

    private Settings parse(String text) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setMaxAliasesForCollections(8);
            options.setCodePointLimit(MAX_CHARS);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() != null ? e.getProblemMark().getLine() + 1 : 1;
            throw new IllegalArgumentException(at(line) + ": this is not YAML: " + e.getProblem());
        } catch (YAMLException e) {
            throw new IllegalArgumentException(name + ": this is not YAML: " + e.getMessage());
        }
        List<Sourced> ifaces = new ArrayList<>();
        List<Sourced> routes = new ArrayList<>();
        List<Sourced> ipRules = new ArrayList<>();
        List<Sourced> sysctls = new ArrayList<>();
        Integer backlogThreads = null;
        String serve = null;
        String metrics = null;
        Path dhcpLeases = null;
        String logLevel = null;
        Sourced rules = null;
        Sourced rules6 = null;
        if (root == null) {
            return new Settings(ifaces, routes, sysctls, null, null, null, null, null, null, null, ipRules);
        }
        for (NodeTuple t : mapping(root, "the file")) {
            String key = scalar(t.getKeyNode(), "a key");
            Node value = t.getValueNode();
            switch (key) {
                case "interfaces" -> {
                    if (!isNull(value)) {
                        for (NodeTuple i : mapping(value, "interfaces")) {
                            ifaces.add(iface(i));
                        }
                    }
                }
                case "routes" -> {
                    for (Node r : list(value)) {
                        routes.add(new Sourced(scalar(r, "a route"), at(r)));
                    }
                }
                case "ip-rules" -> {
                    for (Node r : list(value)) {
                        ipRules.add(new Sourced(scalar(r, "a rule"), at(r)));
                    }
                }
                case "sysctl" -> {
                    if (!isNull(value)) {
                        for (NodeTuple s : mapping(value, "sysctl")) {
                            String k = scalar(s.getKeyNode(), "a sysctl name");
                            sysctls.add(new Sourced(k + "=" + scalar(s.getValueNode(), k), at(s.getValueNode())));
                        }
                    }
                }
                case "backlog-threads" -> backlogThreads = backlogThreads(value);
                case "serve" -> serve = checked(value, String.join(",", words(value, "serve")), ServiceList::parse);
                case "metrics" -> metrics = checked(value, scalar(value, "metrics"), MetricsServer::parseAddress);
                case "dhcp-leases" -> dhcpLeases = path(value, "dhcp-leases");
                case "log-level" -> logLevel = logLevel(value);
                case "rules" -> rules = rules(value, "rules");
                case "rules6" -> rules6 = rules(value, "rules6");
                default -> throw new IllegalArgumentException(at(t.getKeyNode()) + ": unknown key '" + key + "' (keys: "
                        + KEYS + ")");
            }
        }
        return new Settings(ifaces, routes, sysctls, backlogThreads, serve, metrics, dhcpLeases, logLevel, rules,
                rules6, ipRules);
    }

    /**
     * One interface as a SPEC, at the line of its name. Each key that stands alone is checked alone, so a bad
     * value is refused at its own line; what concerns several keys is refused at the name's.
     */
    private Sourced iface(NodeTuple t) {
        String ifname = scalar(t.getKeyNode(), "an interface name");
        Node body = t.getValueNode();
        StringBuilder spec = new StringBuilder(ifname);
        List<String> addrs = new ArrayList<>();
        List<String[]> dhcp = new ArrayList<>();
        String range = null;
        if (!isNull(body)) {
            for (NodeTuple kv : mapping(body, "interface " + ifname)) {
                String key = scalar(kv.getKeyNode(), "a key");
                Node value = kv.getValueNode();
                List<Node> values = LIST_KEYS.contains(key) ? list(value) : List.of(value);
                for (Node v : values) {
                    String text = scalar(v, key);
                    if (text.contains(",")) {
                        throw new IllegalArgumentException(at(v) + ": interface " + ifname + ": " + key
                                + " holds a ',': give a list, like " + key + ": [A, B]");
                    }
                    String item = key + "=" + text;
                    if (ALONE_KEYS.contains(key)) {
                        checkSpec(ifname + "," + item, v, ifname);
                    }
                    if (key.equals("addr")) {
                        addrs.add(item);
                    } else if (key.equals("dhcp")) {
                        range = item;
                    }
                    if (key.startsWith("dhcp")) {
                        dhcp.add(new String[] {item, at(v)});
                    }
                    spec.append(',').append(item);
                }
            }
        }
        // each dhcp key with the addresses and the range it belongs to, so a bad one is refused at its own line
        String base = ifname + (addrs.isEmpty() ? "" : "," + String.join(",", addrs));
        for (String[] d : dhcp) {
            String withRange = range == null || d[0].equals(range) ? base + "," + d[0] : base + "," + range + "," + d[0];
            try {
                IfaceSpec.parse(withRange);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(d[1] + ": interface " + ifname + ": " + e.getMessage());
            }
        }
        return new Sourced(spec.toString(), at(t.getKeyNode()) + ": interface " + ifname);
    }

    private void checkSpec(String spec, Node at, String ifname) {
        try {
            IfaceSpec.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at(at) + ": interface " + ifname + ": " + e.getMessage());
        }
    }

    private Integer backlogThreads(Node value) {
        String text = scalar(value, "backlog-threads");
        try {
            int n = Integer.parseInt(text);
            DaemonConfig.checkBacklogThreads(n);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(at(value) + ": backlog-threads must be a whole number, not '" + text + "'");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at(value) + ": " + e.getMessage());
        }
    }

    private String logLevel(Node value) {
        String text = scalar(value, "log-level");
        if (Logging.Level.parse(text) == null) {
            throw new IllegalArgumentException(at(value) + ": log-level must be error, warning, info, debug, trace or "
                    + "off, not '" + text + "'");
        }
        return text;
    }

    /**
     * The rules (or rules6) key: text with a line break is the rules themselves; a single line names a file in
     * iptables-save's (ip6tables-save's) format, relative to this file's folder. Its contents are not read here
     * but by the {@link RuleLoader}.
     */
    private Sourced rules(Node value, String key) {
        String text = scalar(value, key);
        if (text.contains("\n")) {
            // as written, final line break included; a block scalar (rules: |) starts on the line after the key
            return new Sourced(((ScalarNode) value).getValue(), name + ", the " + key + " from line "
                    + (value.getStartMark().getLine() + 2));
        }
        Path rulesFile = path(value, key);
        try {
            return new Sourced(Files.readString(rulesFile, StandardCharsets.UTF_8), "the " + key + " file " + rulesFile);
        } catch (IOException e) {
            throw new IllegalArgumentException(at(value) + ": " + key + ": cannot read " + rulesFile + ": "
                    + (e instanceof NoSuchFileException ? "there is no such file" : e.getMessage()));
        }
    }

    private Path path(Node value, String key) {
        Path p = Path.of(scalar(value, key));
        Path dir = file.toAbsolutePath().getParent();
        return (p.isAbsolute() || dir == null ? p : dir.resolve(p)).normalize();
    }

    /** {@code value} after {@code check} accepts it; a refusal is given the line. */
    private String checked(Node at, String value, java.util.function.Function<String, ?> check) {
        try {
            check.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(at(at) + ": " + e.getMessage());
        }
        return value;
    }

    /** A list of words, or one word (a single scalar may also hold several, comma-separated). */
    private List<String> words(Node value, String what) {
        List<String> out = new ArrayList<>();
        for (Node n : list(value)) {
            out.add(scalar(n, what));
        }
        return out;
    }

    private List<NodeTuple> mapping(Node n, String what) {
        if (!(n instanceof MappingNode m)) {
            throw new IllegalArgumentException(at(n) + ": " + what + " must be a mapping of KEY: VALUE lines");
        }
        Set<String> seen = new HashSet<>();
        for (NodeTuple t : m.getValue()) {
            String key = scalar(t.getKeyNode(), "a key");
            if (!seen.add(key)) {
                throw new IllegalArgumentException(at(t.getKeyNode()) + ": " + key + " is given twice in " + what);
            }
        }
        return m.getValue();
    }

    /** A sequence's items, or a lone scalar as a list of one. */
    private List<Node> list(Node n) {
        if (n instanceof SequenceNode s) {
            return s.getValue();
        }
        return isNull(n) ? List.of() : List.of(n);
    }

    private String scalar(Node n, String what) {
        if (!(n instanceof ScalarNode s)) {
            throw new IllegalArgumentException(at(n) + ": " + what + " must be a single value, not a "
                    + (n instanceof SequenceNode ? "list" : "mapping"));
        }
        if (s.getValue().isBlank()) {
            throw new IllegalArgumentException(at(n) + ": " + what + " has no value");
        }
        return s.getValue().strip();
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && s.getValue().isEmpty();
    }

    private String at(Node n) {
        return at(n.getStartMark().getLine() + 1);
    }

    private String at(int line) {
        return name + ", line " + line;
    }
}
