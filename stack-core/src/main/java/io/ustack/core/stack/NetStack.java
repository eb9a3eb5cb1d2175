package io.ustack.core.stack;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.icmp.IcmpProtocol;
import io.ustack.core.icmp.IcmpRateLimiter;
import io.ustack.core.icmp.IcmpSender;
import io.ustack.core.icmp.Icmpv6Protocol;
import io.ustack.core.icmp.Icmpv6Sender;
import io.ustack.core.ipv4.Fragmenter;
import io.ustack.core.ipv4.IgmpProtocol;
import io.ustack.core.ipv4.Ipv4Forward;
import io.ustack.core.ipv4.Ipv4Input;
import io.ustack.core.ipv4.Ipv4Output;
import io.ustack.core.ipv4.Reassembler;
import io.ustack.core.ipv6.Ipv6Forward;
import io.ustack.core.ipv6.Ipv6Input;
import io.ustack.core.ipv6.Ipv6Output;
import io.ustack.core.ipv6.Ipv6Reassembler;
import io.ustack.core.ipv6.Ipv6SocketContext;
import io.ustack.core.link.EthTypeTrans;
import io.ustack.core.link.LoopbackDevice;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetDeviceHost;
import io.ustack.core.link.PacketTap;
import io.ustack.core.neigh.ArpProtocol;
import io.ustack.core.neigh.Dad;
import io.ustack.core.neigh.Ndisc;
import io.ustack.core.neigh.RouterAdvertiser;
import io.ustack.core.neigh.NeighbourTable;
import io.ustack.core.netfilter.Netfilter;
import io.ustack.core.netfilter.NfProto;
import io.ustack.core.netfilter.conntrack.Conntrack;
import io.ustack.core.netfilter.nat.NfNat;
import io.ustack.core.netfilter.rules.IpTables;
import io.ustack.core.netfilter.rules.NfReject;
import io.ustack.core.netfilter.rules.NfReject6;
import io.ustack.core.route.DstEntry;
import io.ustack.core.route.Fib;
import io.ustack.core.route.InterfaceAddress;
import io.ustack.core.route.Ipv6Fib;
import io.ustack.core.route.PmtuCache;
import io.ustack.core.route.Route;
import io.ustack.core.softnet.BacklogThread;
import io.ustack.core.softnet.Cpu;
import io.ustack.core.softnet.DirectCpu;
import io.ustack.core.softnet.Softnet;
import io.ustack.core.stats.DropReason;
import io.ustack.core.stats.MibCounters;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.tcp.TcpConfig;
import io.ustack.core.tcp.TcpProtocol;
import io.ustack.core.udp.UdpProtocol;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.IcmpPacket;
import io.ustack.core.wire.Ipv4Packet;
import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Icmpv6Packet;
import io.ustack.core.wire.Ipv6Address;
import io.ustack.core.wire.Ipv6Packet;
import io.ustack.core.wire.Ipv6Prefix;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The stack: the one place where its parts are wired together. Devices hand it frames through
 * {@link #netifReceiveSkb}; RPS spreads them over backlog threads, each running
 * {@link #netifReceiveSkbCore}; protocols answer through the IPv4 output path to the devices.
 *
 * <p>Threads: driver poll threads call {@link #netifReceiveSkb}; backlog threads run the receive path and
 * whatever it sends; one housekeeping thread runs the neighbour and reassembly timers. Configuration
 * methods may be called from any thread.
 */
public final class NetStack implements NetDeviceHost, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NetStack.class.getName());

    private final StackConfig config;
    private final BufferPool pool;
    private final PacketDrops drops = new PacketDrops();
    private final MibCounters mib = new MibCounters();
    private final LoopbackDevice loopback = new LoopbackDevice();
    private final List<NetDevice> devices = new CopyOnWriteArrayList<>();
    private final Netfilter netfilter;
    /** The IPv6 hooks: NFPROTO_IPV6 has its own five, as Linux keeps nf_hooks_ipv6 beside nf_hooks_ipv4. */
    private final Netfilter netfilter6;
    private final Conntrack conntrack;
    private final IpTables iptables;
    /** ip6tables' tables, on the IPv6 hooks. */
    private final IpTables ip6tables;
    private final Fib fib;
    private final NeighbourTable neigh;
    private final ArpProtocol arp;
    private final Reassembler reassembler;
    private final Ipv4Output ipv4Out;
    private final Ipv4Input ipv4In;
    private final IcmpSender icmp;
    private final IcmpProtocol icmpProtocol;
    private final Ipv4Forward forward;
    private final UdpProtocol udp;
    private final TcpProtocol tcp;
    /** IPv6: addresses and routes, ND, ICMPv6. */
    private final Ipv6Fib fib6;
    private final NeighbourTable nd;
    private final Ipv6Input ipv6In;
    private final Ipv6Reassembler reassembler6;
    private final Ipv6Output ipv6Out;
    private final Icmpv6Sender icmp6;
    private final Ipv6Forward forward6;
    private final Ndisc ndisc;
    private final Dad dad;
    private final RouterAdvertiser advertiser;
    /** net.ipv6.conf.default.accept_dad: whether new addresses go through DAD (Linux's default, 1). */
    private volatile boolean acceptDad = true;
    private volatile boolean bindV6Only;
    private final Icmpv6Protocol icmpv6Protocol;
    private final Softnet softnet;
    /** The Cpu of every flow when RPS is off; null with backlog threads. */
    private final DirectCpu directCpu;
    private ScheduledExecutorService housekeeping;
    private int nextIfindex = 1;

    public NetStack(StackConfig config) {
        this(config, new BufferPool());
    }

    public NetStack(StackConfig config, BufferPool pool) {
        this.config = config;
        this.pool = pool;
        this.netfilter = new Netfilter(drops);
        this.netfilter6 = new Netfilter(drops);
        this.neigh = new NeighbourTable(config.neigh(), config.clock(), config.random(), drops, mib);
        this.reassembler = new Reassembler(pool, config.clock(), mib, drops, config.fragHighThresh(),
                config.fragLowThresh(), config.fragTimeoutMs());
        // The FIB's routes carry their next steps, so it is built with a factory that closes over the
        // IPv4 paths created just after it; routes only exist once addresses are added, by then both are set.
        Ipv4Input[] in = new Ipv4Input[1];
        Ipv4Output[] out = new Ipv4Output[1];
        this.fib = new Fib(loopback, (type, dev, gw, src) -> new DstEntry(type, dev, gw, src,
                type == DstEntry.Type.UNICAST ? p -> in[0].ipForwardOrError(p)
                        : type.isError() ? p -> in[0].ipRouteError(p) : p -> in[0].ipLocalDeliver(p),
                type.isError() ? p -> drops.drop(p, DropReason.IP_OUTNOROUTES) : p -> out[0].ipOutput(p)));
        this.arp = new ArpProtocol(fib, neigh, pool, mib, drops);
        neigh.setSolicitor(arp);
        this.ipv4Out = new Ipv4Output(fib, netfilter, neigh, new Fragmenter(pool, mib), mib, drops);
        this.ipv4In = new Ipv4Input(fib, netfilter, reassembler, mib, drops);
        in[0] = ipv4In;
        out[0] = ipv4Out;
        IcmpRateLimiter icmpLimiter = new IcmpRateLimiter(config.clock(), mib); // icmp_global: both families'
        this.icmp = new IcmpSender(pool, ipv4Out, fib, mib, icmpLimiter, config.clock());
        ipv4In.setErrorSender(icmp::send);
        ipv4In.setWallClock(config.clock());
        ipv4Out.setPmtuCache(PmtuCache.ipv4(config.clock()));
        this.icmpProtocol = new IcmpProtocol(icmp, mib, drops);
        ipv4In.addProtocol(Ipv4Packet.IPPROTO_ICMP, icmpProtocol);
        icmpProtocol.setPmtuUpdater(ipv4Out::updatePmtu);
        ipv4In.addProtocol(IgmpProtocol.IPPROTO_IGMP, new IgmpProtocol(drops));
        ipv4Out.setFragNeededReporter((pkt, mtu) -> icmp.send(pkt, IcmpPacket.DEST_UNREACH, IcmpPacket.FRAG_NEEDED, mtu));
        reassembler.setExpiryReporter(first -> icmp.send(first, IcmpPacket.TIME_EXCEEDED, IcmpPacket.EXC_FRAGTIME, 0));
        // arp_error_report -> ipv4_link_failure: whoever sent a packet that waited in vain hears of it
        neigh.setErrorReporter(pkt -> icmp.send(pkt, IcmpPacket.DEST_UNREACH, IcmpPacket.HOST_UNREACH, 0));
        this.forward = new Ipv4Forward(fib, netfilter, icmp::send, mib, drops);
        // the hash seed is not drawn from config.random(), whose sequence tests rely on elsewhere
        Ipv6Input[] in6 = new Ipv6Input[1]; // made below, with the rest of IPv6
        this.conntrack = new Conntrack(netfilter, netfilter6, config.clock(), ThreadLocalRandom.current().nextInt(),
                ipv4In::setDefragBeforeHooks, on -> in6[0].setDefragBeforeHooks(on));
        NfNat nat = new NfNat(netfilter, conntrack);
        this.iptables = new IpTables(netfilter, new NfReject(pool, ipv4Out, icmp), conntrack, nat, fib, config.clock());
        fib.onAddressRemoved(nat::masqInetEvent); // masq_inet_event: masqueraded flows go with their address
        // IPv6: its own FIB and ND table (nd_tbl beside arp_tbl, one neighbour core), the same devices
        this.nd = new NeighbourTable(NeighbourTable.Family.ND, config.neigh(), config.clock(), config.random(), drops, mib);
        Ipv6Output[] out6 = new Ipv6Output[1];
        this.fib6 = new Ipv6Fib(loopback, (type, dev, gw) -> new DstEntry(type, dev, gw,
                type == DstEntry.Type.UNICAST ? p -> in6[0].ip6ForwardOrError(p)
                        : type.isError() ? p -> in6[0].ip6RouteError(p) : p -> in6[0].ip6Input(p),
                type.isError() ? p -> drops.drop(p, type.errorDropReason()) : p -> out6[0].ip6Output(p)));
        this.ipv6Out = new Ipv6Output(pool, fib6, netfilter6, nd, mib, drops, ThreadLocalRandom.current().nextInt());
        this.reassembler6 = new Ipv6Reassembler(pool, config.clock(), mib, drops, Ipv6Reassembler.DEFAULT_HIGH_THRESH,
                Ipv6Reassembler.DEFAULT_LOW_THRESH, Ipv6Reassembler.DEFAULT_TIMEOUT_MS);
        this.ipv6In = new Ipv6Input(fib6, netfilter6, reassembler6, mib, drops);
        in6[0] = ipv6In;
        out6[0] = ipv6Out;
        this.icmp6 = new Icmpv6Sender(pool, ipv6Out, fib6, mib, drops, icmpLimiter);
        ipv6In.setErrorSender(icmp6::sendError);
        this.forward6 = new Ipv6Forward(netfilter6, icmp6::sendError, mib, drops);
        reassembler6.setExpiryReporter(first -> icmp6.sendError(first, Icmpv6Packet.TIME_EXCEED, Icmpv6Packet.EXC_FRAGTIME, 0));
        this.ip6tables = IpTables.ipv6(netfilter6, new NfReject6(pool, fib6, ipv6Out, icmp6), conntrack, config.clock());
        this.ndisc = new Ndisc(fib6, nd, icmp6, pool, mib, drops);
        nd.setSolicitor6(ndisc);
        // DAD's delay and nonce are not drawn from config.random(), whose sequence tests rely on elsewhere
        this.dad = new Dad(fib6, ndisc, config.clock(), ThreadLocalRandom.current());
        ndisc.setDad(dad);
        // the advertiser's intervals and delays likewise
        this.advertiser = new RouterAdvertiser(fib6, icmp6, pool, config.clock(), ThreadLocalRandom.current(),
                ndisc::forwarding);
        ndisc.setRouterAdvertiser(advertiser);
        this.icmpv6Protocol = new Icmpv6Protocol(icmp6, ndisc, mib, drops);
        ipv6In.addProtocol(Ipv6Packet.NEXTHDR_ICMP, icmpv6Protocol);
        ipv6Out.setPmtuCache(PmtuCache.ipv6(config.clock()));
        icmpv6Protocol.setPmtuUpdater(ipv6Out::updatePmtu);
        // TCP and UDP after both families' paths, since they send over both
        this.tcp = new TcpProtocol(pool, ipv4Out, ipv6Out, mib, drops, config.clock(), config.random(), config.secrets(),
                this::cpuFor, TcpConfig.defaults());
        ipv4In.addProtocol(Ipv4Packet.IPPROTO_TCP, tcp);
        icmpProtocol.addErrorHandler(Ipv4Packet.IPPROTO_TCP, tcp);
        ipv6In.addProtocol(Ipv6Packet.NEXTHDR_TCP, tcp.ipv6Handler());
        icmpv6Protocol.addErrorHandler(Ipv6Packet.NEXTHDR_TCP, tcp.ipv6ErrorHandler());
        this.udp = new UdpProtocol(pool, ipv4Out, icmp::send, ipv6Out, icmp6::sendError, mib, drops, config.random());
        ipv4In.addProtocol(Ipv4Packet.IPPROTO_UDP, udp);
        icmpProtocol.addErrorHandler(Ipv4Packet.IPPROTO_UDP, udp);
        ipv6In.addProtocol(Ipv6Packet.NEXTHDR_UDP, udp.ipv6Handler());
        icmpv6Protocol.addErrorHandler(Ipv6Packet.NEXTHDR_UDP, udp::err6);
        Ipv6SocketContext sockets6 = new Ipv6SocketContext(this::bindV6Only, this::device);
        tcp.setIpv6Context(sockets6);
        udp.setIpv6Context(sockets6);
        this.softnet = config.backlogThreads() > 0
                ? new Softnet(config.backlogThreads(), config.maxBacklog(), this::netifReceiveSkbCore, drops, config.clock())
                : null;
        this.directCpu = softnet == null ? new DirectCpu(config.clock()) : null;
        addDeviceQuietly(loopback);
        fib.addAddress(loopback, Ipv4Prefix.parse("127.0.0.1/8"));
    }

    private void addDeviceQuietly(NetDevice dev) {
        try {
            addDevice(dev);
        } catch (IOException e) {
            throw new IllegalStateException("the loopback device cannot fail to open", e);
        }
    }

    /** Starts the backlog threads and the timers. */
    public synchronized void start() {
        if (softnet != null) {
            softnet.start();
        }
        if (config.housekeepingMs() > 0) {
            housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "ustack-timers");
                t.setDaemon(true);
                return t;
            });
            housekeeping.scheduleAtFixedRate(this::runTimersSafely, config.housekeepingMs(),
                    config.housekeepingMs(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Runs the neighbour and reassembly timers once, at the clock's current time, and with RPS off the
     * protocol timers too (with RPS each backlog thread runs its own).
     */
    public void runTimers() {
        neigh.tick();
        nd.tick();
        reassembler.expire();
        reassembler6.expire();
        dad.tick();
        advertiser.tick();
        conntrack.gc();
        if (directCpu != null) {
            directCpu.runTimers(config.clock().nanos());
        }
    }

    /**
     * With RPS off, the earliest deadline of the protocol timers ({@code Long.MAX_VALUE} with none): how far
     * whoever drives a virtual clock may move it before calling {@link #runTimers}. With RPS each backlog
     * thread keeps its own, and this says nothing ({@code Long.MAX_VALUE}).
     */
    public long earliestTimerDeadline() {
        return directCpu != null ? directCpu.earliestDeadline() : Long.MAX_VALUE;
    }

    /** get_rps_cpu for a flow this host takes part in: the Cpu its packets are steered to. */
    public Cpu cpuFor(int flowHash) {
        return softnet != null ? softnet.threadFor(flowHash) : directCpu;
    }

    private void runTimersSafely() {
        try {
            runTimers();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "timer run failed", e);
        }
    }

    /**
     * Stops the timers, the devices (dev_close) and the backlog threads; advertising interfaces send their
     * final Router Advertisement first.
     */
    @Override
    public synchronized void close() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        advertiser.stopAll();
        for (NetDevice d : devices) {
            d.close();
        }
        if (softnet != null) {
            softnet.stop();
        }
        neigh.flush();
        nd.flush();
        reassembler.flush();
        reassembler6.flush();
    }

    /**
     * register_netdevice and dev_open: gives the device an ifindex and starts it. IPv6 comes up on it as
     * addrconf_dev_config has it: the loopback gets ::1, any other device its link-local address fe80::/64
     * from its MAC (EUI-64, addr_gen_mode 0) and the all-nodes group, and the all-routers group on a router.
     */
    public synchronized void addDevice(NetDevice dev) throws IOException {
        if (device(dev.name()) != null) {
            throw new IllegalArgumentException("a device named " + dev.name() + " already exists");
        }
        dev.setIfindex(nextIfindex++);
        dev.open(this);
        devices.add(dev);
        addAddress(dev, dev.isLoopback() ? new Ipv6Prefix(Ipv6Address.LOOPBACK, 128)
                : new Ipv6Prefix(Ipv6Address.linkLocalFromMac(dev.mac()), 64));
        if (ndisc.forwarding() && !dev.isLoopback()) {
            fib6.join(dev, Ipv6Address.ALL_ROUTERS);
        }
    }

    /**
     * unregister_netdevice: takes away what the kernel's NETDEV_UNREGISTER notifiers take with a device (its IPv4
     * and IPv6 addresses with their routes, static routes out of it, its neighbours), then closes it (dev_close)
     * and forgets it. Other devices, and connections routed through them, carry on.
     */
    public synchronized void removeDevice(NetDevice dev) {
        if (!devices.contains(dev) || dev.isLoopback()) {
            throw new IllegalArgumentException("there is no device " + dev.name() + " to remove");
        }
        advertiser.stop(dev);
        for (InterfaceAddress a : fib.addresses()) {
            if (a.dev() == dev) {
                fib.removeAddress(dev, a.prefix());
            }
        }
        for (Route r : fib.mainRoutes()) {
            if (r.dev() == dev) {
                fib.removeRoute(r.prefix());
            }
        }
        for (Ipv6Fib.Inet6Address a : fib6.addresses(dev)) {
            fib6.removeAddress(dev, a.prefix());
        }
        fib6.removeRoutes(dev);
        neigh.flush(dev);
        nd.flush(dev);
        devices.remove(dev);
        dev.close();
    }

    /**
     * `ip addr add`: the address and its routes, announced by a gratuitous ARP where the device uses ARP
     * (not on loopback or an IFF_NOARP device, as arp_netdev_event skips them).
     */
    public void addAddress(NetDevice dev, Ipv4Prefix prefix) {
        fib.addAddress(dev, prefix);
        if (!dev.noArp()) {
            arp.announce(dev, prefix.address());
        }
    }

    /**
     * `ip -6 addr add`: an IPv6 address, its connected route and its solicited-node group. With accept_dad on
     * it is tentative until Duplicate Address Detection passes ({@link Dad}), then announced by an unsolicited
     * NA; the loopback, an IFF_NOARP device and accept_dad 0 skip DAD (addrconf_dad_begin), and the address is
     * usable at once.
     */
    public void addAddress(NetDevice dev, Ipv6Prefix prefix) {
        if (acceptDad && !dev.isLoopback() && !dev.noArp()) {
            dad.start(dev, prefix);
        } else {
            fib6.addAddress(dev, prefix);
        }
    }

    /**
     * `ip -6 addr del`: the address, its connected route when no other address of the device is on its prefix,
     * and its solicited-node group (ipv6_del_addr), and Duplicate Address Detection for it if it is still
     * running (addrconf_dad_stop). Throws IllegalArgumentException with a sentence when {@code dev} has no
     * such address.
     */
    public void removeAddress(NetDevice dev, Ipv6Prefix prefix) {
        fib6.removeAddress(dev, prefix);
        dad.stop(dev, prefix.address());
    }

    /** net.ipv6.conf.default.accept_dad for addresses added from now on: 1 (Linux's default) or 0. */
    public void setAcceptDad(boolean on) {
        this.acceptDad = on;
    }

    /**
     * net.ipv6.bindv6only: the IPV6_V6ONLY that IPv6 sockets opened from now on start with. 0, Linux's
     * default: a TCP listener or UDP socket on :: takes IPv4 too, as v4-mapped addresses.
     */
    public void setBindV6Only(boolean on) {
        this.bindV6Only = on;
    }

    public boolean bindV6Only() {
        return bindV6Only;
    }

    /**
     * net.ipv4.ip_forward: with it on, packets for other hosts are routed on (ip_forward); off (the default)
     * they are dropped and counted in IpInAddrErrors.
     */
    public synchronized void setForwarding(boolean on) {
        ipv4In.setForward(on ? forward : null);
    }

    /**
     * addrconf's dev_forward_change: as an IPv6 router every device joins all-routers (ff02::2), NAs carry the
     * R flag, Router Solicitations are taken and advertising interfaces send Router Advertisements; as a host,
     * none of these.
     */
    private void ipv6Router(boolean on) {
        if (ndisc.forwarding() == on) {
            return;
        }
        ndisc.setForwarding(on);
        for (NetDevice d : devices) {
            if (!d.isLoopback()) {
                if (on) {
                    fib6.join(d, Ipv6Address.ALL_ROUTERS);
                } else {
                    fib6.leave(d, Ipv6Address.ALL_ROUTERS);
                }
            }
        }
    }

    public boolean forwarding() {
        return ipv4In.forwarding();
    }

    /**
     * net.ipv6.conf.all.forwarding: with it on, IPv6 packets for other hosts are routed on (ip6_forward); off
     * (the default) they are dropped and counted in Ip6InAddrErrors. Separate from IPv4's, as in Linux. It
     * makes the stack an IPv6 router too ({@link #ipv6Router}).
     */
    public synchronized void setForwarding6(boolean on) {
        ipv6In.setForward(on ? forward6 : null);
        ipv6Router(on);
    }

    public boolean forwarding6() {
        return ipv6In.forwarding();
    }

    /**
     * Whether {@code dev} is an advertising interface (radvd's per-interface AdvSendAdvert): while the stack
     * forwards it sends Router Advertisements with its prefixes and answers solicitations
     * ({@link RouterAdvertiser}); turned off, it sends a final one with router lifetime 0.
     */
    public void setRouterAdvertisements(NetDevice dev, boolean on) {
        if (on) {
            advertiser.start(dev);
        } else {
            advertiser.stop(dev);
        }
    }

    public boolean routerAdvertisements(NetDevice dev) {
        return advertiser.advertises(dev);
    }

    /** `ip route add`: see {@link Fib#addRoute}. */
    public Route addRoute(Ipv4Prefix prefix, int gateway, NetDevice dev) {
        return fib.addRoute(prefix, gateway, dev);
    }

    public NetDevice device(String name) {
        for (NetDevice d : devices) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** dev_get_by_index: the interface with index {@code ifindex}, or null. */
    public NetDevice device(int ifindex) {
        for (NetDevice d : devices) {
            if (d.ifindex() == ifindex) {
                return d;
            }
        }
        return null;
    }

    public List<NetDevice> devices() {
        return List.copyOf(devices);
    }

    // ---- the receive path ----

    /**
     * netif_receive_skb: eth_type_trans, then RPS onto a backlog thread (or straight on with RPS off).
     * Takes ownership.
     */
    @Override
    public void netifReceiveSkb(PacketBuffer pkt) {
        netifReceiveSkb(pkt, false);
    }

    @Override
    public void netifReceiveSkb(PacketBuffer pkt, boolean lightPoll) {
        NetDevice dev = pkt.dev();
        if (!EthTypeTrans.apply(pkt, dev)) {
            dev.stats().rxErrors.increment();
            drops.drop(pkt, DropReason.PKT_TOO_SMALL);
            return;
        }
        if (dev.nitActive()) {
            pkt.setTstamp(config.clock().nanos()); // net_timestamp_check: before the wait in a backlog queue
        }
        if (softnet != null) {
            softnet.receive(pkt, lightPoll || localBulk(pkt));
        } else {
            netifReceiveSkbCore(pkt);
        }
    }

    /**
     * A super-packet (the host's GSO or GRO's) for one of this host's addresses: bulk data for a local socket,
     * whose work here is a copy into the socket and one small ACK, less than waking a backlog thread costs, so
     * a busy poll may run it to completion too. A forwarded one may not: its work is a 64 KB write into the
     * egress TAP, whose host side runs its own receive path inside that write, and the NAPI thread must not
     * spend its poll on that (a forwarded TCP flow measured 10.4 Gbit/s run inline against 11.8 queued).
     * Borrows {@code pkt}, data at the network header.
     */
    private boolean localBulk(PacketBuffer pkt) {
        if (!pkt.isGso()) {
            return false;
        }
        if (pkt.protocol() == EthernetFrame.ETH_P_IP) {
            Ipv4Packet ip = Ipv4Packet.wrap(pkt, pkt.data());
            return ip != null && fib.isLocal(ip.daddr());
        }
        if (pkt.protocol() == EthernetFrame.ETH_P_IPV6) {
            Ipv6Packet ip = Ipv6Packet.wrap(pkt, pkt.data());
            return ip != null && fib6.isLocal(ip.daddr(), pkt.dev());
        }
        return false;
    }

    /** __netif_receive_skb_core: the packet taps, then dispatch by EtherType (ptype_base). Takes ownership. */
    void netifReceiveSkbCore(PacketBuffer pkt) {
        pkt.dev().deliverToTaps(pkt, PacketTap.Direction.IN);
        switch (pkt.protocol()) {
            case EthernetFrame.ETH_P_IP -> ipv4In.ipRcv(pkt);
            case EthernetFrame.ETH_P_ARP -> arp.arpRcv(pkt);
            case EthernetFrame.ETH_P_IPV6 -> ipv6In.ipv6Rcv(pkt);
            default -> {
                pkt.dev().stats().rxDropped.increment();
                drops.drop(pkt, DropReason.UNHANDLED_PROTO);
            }
        }
    }

    @Override
    public void drop(PacketBuffer pkt, DropReason reason) {
        drops.drop(pkt, reason);
    }

    @Override
    public BufferPool pool() {
        return pool;
    }

    // ---- parts, for protocols and control commands ----

    public Fib fib() {
        return fib;
    }

    public Netfilter netfilter() {
        return netfilter;
    }

    /** The IPv6 hooks (ip6_tables' and IPv6 conntrack's), apart from IPv4's. */
    public Netfilter netfilter6() {
        return netfilter6;
    }

    /** Connection tracking, on this stack's hooks while a rule needs it. */
    public Conntrack conntrack() {
        return conntrack;
    }

    /** The rule chains (`iptables`), on this stack's netfilter hooks. */
    public IpTables iptables() {
        return iptables;
    }

    /** The IPv6 rule chains (`ip6tables`), on this stack's IPv6 hooks. */
    public IpTables ip6tables() {
        return ip6tables;
    }

    /** {@code family}'s rule chains: {@link #iptables()} or {@link #ip6tables()}. */
    public IpTables iptables(NfProto family) {
        return family == NfProto.IPV6 ? ip6tables : iptables;
    }

    public NeighbourTable neighbours() {
        return neigh;
    }

    /** The IPv6 addresses, connected routes and joined groups. */
    public Ipv6Fib fib6() {
        return fib6;
    }

    /** The ND neighbour table (nd_tbl). */
    public NeighbourTable ndTable() {
        return nd;
    }

    public Ipv6Input ipv6Input() {
        return ipv6In;
    }

    public Ipv6Output ipv6Output() {
        return ipv6Out;
    }

    public Icmpv6Sender icmp6() {
        return icmp6;
    }

    /** icmpv6_rcv, where IPv6 pings register for their echo replies. */
    public Icmpv6Protocol icmpv6Protocol() {
        return icmpv6Protocol;
    }

    public Ndisc ndisc() {
        return ndisc;
    }

    public Ipv4Input ipv4Input() {
        return ipv4In;
    }

    public Ipv4Output ipv4Output() {
        return ipv4Out;
    }

    public IcmpSender icmp() {
        return icmp;
    }

    /** icmp_rcv's side: where echo replies are heard by id ({@link IcmpProtocol#pings}). */
    public IcmpProtocol icmpProtocol() {
        return icmpProtocol;
    }

    /** TCP: {@code tcp().listen(...)} and {@code tcp().connect(...)}. */
    public TcpProtocol tcp() {
        return tcp;
    }

    /** UDP: open sockets with {@code udp().open()}. */
    public UdpProtocol udp() {
        return udp;
    }

    public Reassembler reassembler() {
        return reassembler;
    }

    public Ipv6Reassembler reassembler6() {
        return reassembler6;
    }

    public MibCounters mib() {
        return mib;
    }

    public PacketDrops drops() {
        return drops;
    }

    public LoopbackDevice loopback() {
        return loopback;
    }

    /** The backlog threads; empty when RPS is off. */
    public List<BacklogThread> backlogThreads() {
        return softnet == null ? List.of() : softnet.threads();
    }

    public StackConfig config() {
        return config;
    }

    /** Every counter, now. */
    public StackStats stats() {
        Map<String, Long> dropMap = new LinkedHashMap<>();
        drops.snapshot().forEach((r, n) -> dropMap.put(r.name(), n));
        List<StackStats.Softnet> sn = new ArrayList<>();
        for (BacklogThread t : backlogThreads()) {
            sn.add(new StackStats.Softnet(t.cpu(), t.processed(), t.dropped(), t.queueLength()));
        }
        Map<String, Map<String, Long>> devs = new LinkedHashMap<>();
        for (NetDevice d : devices) {
            devs.put(d.name(), d.stats().snapshot());
        }
        Map<String, Long> buffers = new LinkedHashMap<>();
        buffers.put("Outstanding", (long) pool.outstanding());
        buffers.put("Allocations", pool.allocations());
        buffers.put("ReasmMemory", reassembler.memory());
        buffers.put("Reasm6Memory", reassembler6.memory());
        return new StackStats(mib.snapshot(), dropMap, sn, devs, buffers);
    }
}
