package io.ustack.core.softnet;

import io.ustack.core.buffer.PacketBuffer;
import io.ustack.core.buffer.PacketHandler;
import io.ustack.core.stats.PacketDrops;
import io.ustack.core.time.Clock;
import io.ustack.core.wire.EthernetFrame;
import io.ustack.core.wire.Icmpv6Packet;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Receive packet steering over N backlog threads: get_rps_cpu picks the thread by flow hash, then
 * enqueue_to_backlog queues the packet there, unless that CPU is idle and the caller, a driver's poll thread
 * with little to do, can run it to completion at once (see {@link BacklogThread}). The handler is
 * __netif_receive_skb_core.
 *
 * <p>ARP is not steered: it runs at once on the receiving (NAPI) thread, as it would with RPS off. It is
 * what keeps this host and its neighbours reachable to each other, it is cheap, and it carries no flow whose
 * order RPS would keep; queued behind a flood it would be dropped with the flood, the neighbour entries on
 * both sides would fail, and even established connections would stall. A NIC's priority queue for control
 * frames, or a router's control-plane policing, keeps ARP apart for the same reason.
 *
 * <p>Neighbour Discovery is IPv6's ARP and is kept apart the same way: an IPv6 packet whose first next
 * header is ICMPv6 and whose type is one of ND's (router and neighbour solicitation and advertisement,
 * redirect) runs at once too. ND messages never carry extension headers in practice (RFC 4861 sends them
 * with hop limit 255 straight from the neighbour), so looking at the fixed header's next header finds them.
 */
public final class Softnet {
    /** net.core.netdev_max_backlog's default. */
    public static final int DEFAULT_MAX_BACKLOG = 1000;

    private final BacklogThread[] threads;
    private final PacketHandler receive;

    public Softnet(int threadCount, int maxBacklog, PacketHandler receive, PacketDrops drops, Clock clock) {
        if (threadCount < 1) {
            throw new IllegalArgumentException("at least one backlog thread is needed");
        }
        this.receive = receive;
        threads = IntStream.range(0, threadCount)
                .mapToObj(i -> new BacklogThread(i, maxBacklog, receive, drops, clock))
                .toArray(BacklogThread[]::new);
    }

    public void start() {
        for (BacklogThread t : threads) {
            t.start();
        }
    }

    public void stop() {
        for (BacklogThread t : threads) {
            t.stop();
        }
        for (BacklogThread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * netif_receive_skb with RPS: hashes the flow (data at the network header) and queues the packet on
     * that flow's thread, or, with {@code runToCompletion} (a driver's poll that found little to do, or bulk
     * data for a local socket), runs it on the calling thread if that CPU is idle; ARP and ND it handles at
     * once, on the calling thread. Takes ownership.
     */
    public void receive(PacketBuffer pkt, boolean runToCompletion) {
        if (pkt.protocol() == EthernetFrame.ETH_P_ARP
                || pkt.protocol() == EthernetFrame.ETH_P_IPV6 && Icmpv6Packet.isNeighbourDiscovery(pkt, pkt.data())) {
            receive.handle(pkt);
            return;
        }
        int h = pkt.hashValid() ? pkt.hash() : FlowHash.compute(pkt);
        BacklogThread t = threadFor(h);
        if (runToCompletion && t.runToCompletion(pkt)) {
            return; // the poll thread found the flow's CPU idle and ran the packet itself
        }
        t.enqueue(pkt);
    }

    /** get_rps_cpu: the thread that owns flow hash {@code hash}. */
    public BacklogThread threadFor(int hash) {
        return threads[Math.floorMod(hash, threads.length)];
    }

    public List<BacklogThread> threads() {
        return List.of(threads);
    }
}
