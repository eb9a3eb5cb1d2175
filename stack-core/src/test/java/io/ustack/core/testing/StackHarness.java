package io.ustack.core.testing;

import io.ustack.core.buffer.BufferPool;
import io.ustack.core.stack.NetStack;
import io.ustack.core.stack.StackConfig;
import io.ustack.core.time.ManualClock;
import io.ustack.core.wire.Ipv4Prefix;
import java.util.List;
import java.util.Random;

/**
 * A stack on a {@link FakeDevice} with a manual clock and RPS off, so a test injects a frame and reads the
 * answer synchronously. The device "eth0" has {@link #STACK_IP}/24 and {@link #STACK_MAC}; the peer is
 * {@link #HOST_IP} at {@link #HOST_MAC}. {@link #close} fails the test if any packet buffer leaked.
 */
public final class StackHarness implements AutoCloseable {
    public static final long HOST_MAC = 0x02_00_00_00_00_01L;
    public static final long STACK_MAC = 0x02_00_00_00_00_02L;
    public static final int HOST_IP = Frames.ip("10.0.0.1");
    public static final int STACK_IP = Frames.ip("10.0.0.2");
    /** {@link #addFarLink}'s eth1, and the far host beyond it. */
    public static final long RIGHT_MAC = 0x02_00_00_00_01_02L;
    public static final long FAR_MAC = 0x02_00_00_00_01_03L;
    public static final int FAR_IP = Frames.ip("10.0.1.2");

    /** The IPv6 addresses of {@link #addIpv6}: the host's and the stack's on fd00:77::/64, as Frames bytes. */
    public static final byte[] HOST_IP6 = Frames.ip6("fd00:77::1");
    public static final byte[] STACK_IP6 = Frames.ip6("fd00:77::2");
    /** The link-local addresses of the two MACs by EUI-64. */
    public static final byte[] HOST_LL = Frames.ip6("fe80::ff:fe00:1");
    public static final byte[] STACK_LL = Frames.ip6("fe80::ff:fe00:2");

    public final ManualClock clock = new ManualClock();
    public final BufferPool pool = new BufferPool();
    public final NetStack stack;
    public final FakeDevice dev;

    public StackHarness() {
        this(1500);
    }

    public StackHarness(int mtu) {
        this(mtu, false);
    }

    /**
     * With {@code dad} the stack's IPv6 addresses go through Duplicate Address Detection as Linux's do
     * (accept_dad 1); without it (every other harness) they are usable at once and the device sends no DAD
     * probes for tests to step over.
     */
    public StackHarness(int mtu, boolean dad) {
        StackConfig cfg = StackConfig.defaults().withBacklogThreads(0).withHousekeepingMs(0).withClock(clock)
                .withRandom(new Random(42)).withSecrets(new Random(43));
        stack = new NetStack(cfg, pool);
        stack.setAcceptDad(dad);
        dev = new FakeDevice("eth0", STACK_MAC, mtu, 1000);
        try {
            stack.addDevice(dev);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        stack.addAddress(dev, new Ipv4Prefix(STACK_IP, 24));
        stack.start();
        dev.drain(); // the gratuitous ARP
    }

    /**
     * A second (third...) device with the stack's address {@code cidr} on it, for tests of a stack that routes
     * between links. The gratuitous ARP it announces with is drained.
     */
    public FakeDevice addDevice(String name, long mac, int mtu, String cidr) {
        FakeDevice d = new FakeDevice(name, mac, mtu, 1000);
        try {
            stack.addDevice(d);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        stack.addAddress(d, Ipv4Prefix.parse(cidr));
        d.drain();
        return d;
    }

    /**
     * Makes the stack a router: forwarding on, a second link eth1 (the stack's MAC {@link #RIGHT_MAC}, address
     * 10.0.1.1/24) with a far host on it ({@link #FAR_IP}, {@link #FAR_MAC}) whose MAC the stack already
     * knows, and the host on eth0 known too. Returns eth1.
     */
    public FakeDevice addFarLink() {
        stack.setForwarding(true);
        FakeDevice right = addDevice("eth1", RIGHT_MAC, 1500, "10.0.1.1/24");
        hostArps();
        right.inject(Frames.eth(-1L >>> 16, FAR_MAC, Frames.ETH_P_ARP, Frames.arp(1, FAR_MAC, FAR_IP, 0, Frames.ip("10.0.1.1"))));
        right.drain();
        return right;
    }

    /** The host asks for the stack's MAC, so the stack learns the host's (STALE) and answers. */
    public void hostArps() {
        dev.inject(Frames.eth(-1L >>> 16, HOST_MAC, Frames.ETH_P_ARP, Frames.arp(1, HOST_MAC, HOST_IP, 0, STACK_IP)));
        dev.drain();
    }

    /** An IPv4 packet from the host to the stack, in an Ethernet frame to the stack's MAC. */
    public void injectIp(byte[] ipPacket) {
        dev.inject(Frames.eth(STACK_MAC, HOST_MAC, Frames.ETH_P_IP, ipPacket));
    }

    /** Gives eth0 the IPv6 address fd00:77::2/64 beside its IPv4 one. */
    public void addIpv6() {
        stack.addAddress(dev, io.ustack.core.wire.Ipv6Prefix.parse("fd00:77::2/64"));
    }

    /**
     * A harness dual-stack from the start: eth0 also has fd00:77::2/64, and the stack knows the host's MAC from
     * its solicitation ({@link #hostSolicits}), so IPv6 packets are answered at once.
     */
    public static StackHarness withIpv6() {
        StackHarness h = new StackHarness();
        h.addIpv6();
        h.hostSolicits();
        return h;
    }

    /** An IPv6 packet from the host to the stack's MAC. */
    public void injectIp6(byte[] ipv6Packet) {
        dev.inject(Frames.eth(STACK_MAC, HOST_MAC, Frames.ETH_P_IPV6, ipv6Packet));
    }

    /**
     * The host resolves the stack's global address as Linux does (an NS to its solicited-node group with the
     * host's MAC), so the stack learns the host's MAC (STALE) and answers; the answer is drained.
     */
    public void hostSolicits() {
        hostSolicits(HOST_IP6, STACK_IP6);
    }

    /**
     * {@link #hostSolicits()} from the host's address {@code from} for the stack's {@code target} (one of
     * STACK_IP6 and STACK_LL, which share their solicited-node group).
     */
    public void hostSolicits(byte[] from, byte[] target) {
        byte[] group = Frames.ip6("ff02::1:ff00:2");
        byte[] ns = Frames.icmpv6(from, group, 135, 0, Frames.nsBody(target, HOST_MAC));
        dev.inject(Frames.eth(0x3333_ff00_0002L, HOST_MAC, Frames.ETH_P_IPV6, Frames.ipv6(from, group, 58, 255, ns)));
        dev.drain();
    }

    public long counter(String name) {
        return stack.stats().flat().getOrDefault(name, 0L);
    }

    public List<byte[]> sent() {
        return dev.drain();
    }

    @Override
    public void close() {
        stack.close();
        dev.drain();
        if (pool.outstanding() != 0) {
            throw new AssertionError("leaked " + pool.outstanding() + " packet buffers");
        }
    }
}
