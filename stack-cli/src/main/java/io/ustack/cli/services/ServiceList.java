package io.ustack.cli.services;

import io.ustack.core.stack.NetStack;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The services `--serve LIST` names: a comma-separated list of echo (7), discard (9) and chargen (19), each
 * on TCP and UDP, http (80) and iperf3 (5201), or {@code all}, or {@code none}.
 */
public final class ServiceList implements AutoCloseable {
    private static final Map<String, List<Supplier<Service>>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("echo", List.of(UdpEcho::new, () -> new TcpService(7, (s, stack) -> new TcpEcho(s))));
        BY_NAME.put("discard", List.of(UdpDiscard::new, () -> new TcpService(9, (s, stack) -> new TcpDiscard(s))));
        BY_NAME.put("chargen", List.of(UdpChargen::new, () -> new TcpService(19, (s, stack) -> new TcpChargen(s))));
        BY_NAME.put("http", List.of(() -> new TcpService(80, Http::new)));
        BY_NAME.put("iperf3", List.of(Iperf3Server::new));
    }

    private final List<String> names;
    private final List<Service> running = new ArrayList<>();

    private ServiceList(List<String> names) {
        this.names = names;
    }

    /** Parses LIST; throws IllegalArgumentException with a sentence naming a service that does not exist. */
    public static ServiceList parse(String list) {
        String text = list.trim();
        if (text.equals("none")) {
            return new ServiceList(List.of());
        }
        if (text.equals("all")) {
            return new ServiceList(List.copyOf(BY_NAME.keySet()));
        }
        List<String> names = new ArrayList<>();
        for (String n : text.split(",")) {
            String name = n.trim();
            if (!BY_NAME.containsKey(name)) {
                throw new IllegalArgumentException("--serve '" + list + "': there is no service '" + name
                        + "'; the services are " + String.join(", ", BY_NAME.keySet()) + ", or all, or none");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return new ServiceList(List.copyOf(names));
    }

    public List<String> names() {
        return names;
    }

    /** Starts every named service on {@code stack}; if one fails, those already started are closed. */
    public void start(NetStack stack) throws IOException {
        try {
            for (String name : names) {
                for (Supplier<Service> s : BY_NAME.get(name)) {
                    Service svc = s.get();
                    svc.start(stack);
                    running.add(svc);
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        for (Service s : running) {
            s.close();
        }
        running.clear();
    }
}
