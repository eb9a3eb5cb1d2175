package io.ustack.cli.services.dhcp;

import io.ustack.cli.services.Service;
import io.ustack.core.link.NetDevice;
import io.ustack.core.stack.NetStack;
import io.ustack.core.udp.UdpDatagramReceived;
import io.ustack.core.udp.UdpSocket;
import io.ustack.core.wire.Ipv4Address;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The DHCP server (port 67) of every interface that has a pool: one socket, each request handed to the
 * {@link DhcpServer} of the interface it came in on (IP_PKTINFO's ifindex), each reply sent as RFC 2131 4.1
 * says. A reply to a client without an address and without the broadcast flag goes to yiaddr at chaddr:
 * like ISC dhcpd, the server first sets a neighbour entry for yiaddr from chaddr. The lease file is
 * rewritten (atomically) on a thread of its own after the lease table changes; changes that come while a
 * write waits share it, so a flood of requests costs at most one write at a time and never blocks the
 * backlog thread, which does the protocol work. Never throws at a hostile packet: refused ones are counted
 * in DhcpInErrors by reason.
 */
public final class DhcpService implements Service {
    private static final System.Logger LOG = System.getLogger(DhcpService.class.getName());
    public static final int SERVER_PORT = 67, CLIENT_PORT = 68;

    private final Map<String, DhcpPool> pools;
    private final LeaseStore store;
    private final LongSupplier clock;
    private final DhcpCounters counters = new DhcpCounters();
    private final Map<Integer, DhcpServer> byIfindex = new ConcurrentHashMap<>();
    private final Map<Integer, NetDevice> devices = new ConcurrentHashMap<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ustack-dhcp-leases");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean writeQueued = new AtomicBoolean();
    private long savedVersion;
    private NetStack stack;
    private UdpSocket socket;

    /** @param pools by interface name; @param clock epoch milliseconds (System::currentTimeMillis in the daemon) */
    public DhcpService(Map<String, DhcpPool> pools, LeaseStore store, LongSupplier clock) {
        this.pools = new LinkedHashMap<>(pools);
        this.store = store;
        this.clock = clock;
    }

    public DhcpCounters counters() {
        return counters;
    }

    @Override
    public void start(NetStack stack) throws IOException {
        this.stack = stack;
        List<Lease> saved = store.load();
        for (Map.Entry<String, DhcpPool> e : pools.entrySet()) {
            NetDevice dev = stack.device(e.getKey());
            if (dev == null) {
                throw new IOException("there is no interface " + e.getKey() + " to serve DHCP on");
            }
            DhcpServer server = new DhcpServer(e.getValue(), counters);
            int restored = 0;
            for (Lease l : saved) {
                if (server.restore(l)) {
                    restored++;
                }
            }
            byIfindex.put(dev.ifindex(), server);
            devices.put(dev.ifindex(), dev);
            LOG.log(System.Logger.Level.INFO, "dhcp on {0}: {1}-{2}, {3} lease(s) from {4}", dev.name(),
                    Ipv4Address.format(e.getValue().first()), Ipv4Address.format(e.getValue().last()),
                    Integer.toString(restored), store.file());
        }
        for (DhcpCounters.Counter c : DhcpCounters.Counter.values()) {
            stack.mib().gauge(c.name(), () -> counters.get(c));
        }
        socket = stack.udp().open();
        socket.bind(0, SERVER_PORT);
        socket.onReadable(this::serve);
    }

    private void serve() {
        try {
            for (UdpDatagramReceived d; (d = socket.poll()) != null; ) {
                serveOne(d);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "dhcp: " + e.getMessage());
        }
    }

    private void serveOne(UdpDatagramReceived d) {
        DhcpServer server = byIfindex.get(d.ifindex());
        NetDevice dev = devices.get(d.ifindex());
        if (server == null) {
            counters.inc(DhcpCounters.Counter.DhcpInIgnored); // a request on an interface without a pool
            return;
        }
        DhcpMessage.Parsed p = DhcpMessage.parseRequest(d.data());
        if (p.message() == null) {
            counters.error(p.error());
            return;
        }
        boolean toBroadcast = d.destinationAddress() == Ipv4Address.BROADCAST || stack.fib().isBroadcast(d.destinationAddress());
        long before = server.version();
        DhcpServer.Reply r = server.handle(p.message(), toBroadcast, clock.getAsLong());
        if (server.version() != before && writeQueued.compareAndSet(false, true)) {
            writer.execute(() -> {
                writeQueued.set(false);
                save();
            });
        }
        if (r == null) {
            return;
        }
        try {
            byte[] b = r.bytes();
            switch (r.dest()) {
                case BROADCAST -> socket.sendBroadcast(b, 0, b.length, dev, server.pool().server().address(), CLIENT_PORT);
                case UNICAST_TO_CHADDR -> {
                    // as dhcpd's ARP cache entry: the client answers no ARP for an address it does not have yet
                    stack.neighbours().update(dev, r.address(), r.mac(), false, true);
                    socket.sendTo(b, 0, b.length, r.address(), CLIENT_PORT);
                }
                case UNICAST -> socket.sendTo(b, 0, b.length, r.address(), CLIENT_PORT);
                case RELAY -> socket.sendTo(b, 0, b.length, r.address(), SERVER_PORT);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "dhcp: cannot reply: " + e.getMessage());
        }
    }

    /** Every lease of every interface, with its interface's name. */
    public List<Map.Entry<String, Lease>> leases() {
        List<Map.Entry<String, Lease>> out = new ArrayList<>();
        byIfindex.forEach((ifindex, server) -> server.leases()
                .forEach(l -> out.add(Map.entry(devices.get(ifindex).name(), l))));
        return out;
    }

    /** Waits (up to 10 s) for the lease file writes queued so far; for tests and for close. */
    public void flush() {
        try {
            writer.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "dhcp: the lease file writer did not finish: " + e);
        }
    }

    private synchronized void save() {
        List<Lease> all = new ArrayList<>();
        long version = 0;
        for (DhcpServer s : byIfindex.values()) {
            version += s.version();
            all.addAll(s.leases());
        }
        if (version == savedVersion) {
            return;
        }
        savedVersion = version;
        try {
            store.save(all);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "dhcp: cannot write the lease file " + store.file() + ": " + e.getMessage());
        }
    }

    /** Closes the socket, then writes what the last requests changed and stops the writer. */
    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
        if (!writer.isShutdown()) {
            flush();
            writer.shutdown();
        }
    }
}
