package io.ustack.core.netfilter.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Port names from /etc/services, as iptables takes them ({@code --dport ssh}: getservbyname) and prints
 * them without -n ({@code tcp dpt:ssh}: getservbyport, the first name a port has). Read once, when a name
 * is first needed; with no file, there are no names and ports are numbers only.
 */
final class Services {
    private static final Path FILE = Path.of("/etc/services");

    /** "name/proto" (aliases too) to port, and "port/proto" to the port's first name. */
    private record Table(Map<String, Integer> ports, Map<String, String> names) {
    }

    private static volatile Table table;

    private Services() {
    }

    /** The port {@code name} has for {@code proto} ("tcp" or "udp"), or -1. */
    static int port(String name, String proto) {
        return load().ports.getOrDefault(name + "/" + proto, -1);
    }

    /** The name of {@code port} for {@code proto}, or the number when it has none. */
    static String name(int port, String proto) {
        return load().names.getOrDefault(port + "/" + proto, Integer.toString(port));
    }

    private static Table load() {
        Table t = table;
        if (t == null) {
            t = read();
            table = t;
        }
        return t;
    }

    /** Lines of "name port/proto [alias...] [# comment]". */
    private static Table read() {
        Map<String, Integer> ports = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(FILE);
        } catch (IOException e) {
            return new Table(ports, names);
        }
        for (String line : lines) {
            int hash = line.indexOf('#');
            String[] f = (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+");
            int slash = f.length < 2 ? -1 : f[1].indexOf('/');
            long port = slash < 0 ? -1 : Xt.number(f[1].substring(0, slash), 65535);
            if (port < 0) {
                continue;
            }
            String proto = f[1].substring(slash + 1);
            names.putIfAbsent(port + "/" + proto, f[0]);
            for (int i = 0; i < f.length; i++) {
                if (i != 1) {
                    ports.putIfAbsent(f[i] + "/" + proto, (int) port);
                }
            }
        }
        return new Table(ports, names);
    }
}
