import io.ustack.core.netfilter.rules.IpTables;
import io.ustack.core.testing.FakeDevice;
import io.ustack.core.testing.Frames;
import io.ustack.core.testing.StackHarness;
import java.util.Arrays;

/**
 * The stack's own cost of forwarding, without a TAP: a 64-byte UDP datagram injected on one fake device and
 * forwarded out of another (ip_rcv, routing, ip_forward, NF FORWARD, ip_output, the neighbour and the qdisc,
 * on one thread), first with an empty FORWARD chain, then with N rules that do not match: in FORWARD itself,
 * in a user-defined chain FORWARD jumps to, as N jumps to an empty user-defined chain (each jump taken and
 * returned from), and as N rules that match and only count (what a jump should cost no more than). The I/O the real router adds is left out, so what
 * the rules cost shows on its own.
 *
 * <p>usage: java -cp stack-core.jar:stack-core-tests.jar:CLASSES ForwardBench [RULES...]   (default 0 100)
 */
public final class ForwardBench {
    private static final int PACKETS = 500_000;
    private static final int ROUNDS = 10;

    public static void main(String[] args) {
        int[] counts = args.length == 0 ? new int[] {0, 100} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        StackHarness h = new StackHarness();
        FakeDevice right = h.addFarLink();
        int far = StackHarness.FAR_IP;
        byte[] frame = Frames.eth(StackHarness.STACK_MAC, StackHarness.HOST_MAC, Frames.ETH_P_IP,
                Frames.ipv4(StackHarness.HOST_IP, far, 17, 64, 1, 0,
                        Frames.udp(StackHarness.HOST_IP, far, 40000, 5201, Frames.pattern(64))));
        IpTables ipt = h.stack.iptables();
        // each count twice, so the second shows it after everything was compiled
        for (int pass = 0; pass < 2; pass++) {
            for (int n : counts) {
                for (String shape : n == 0 ? new String[] {"FORWARD"} : new String[] {"FORWARD", "a user chain", "jumps", "matches"}) {
                    ipt.iptables("-F");
                    ipt.iptables("-X");
                    if (!shape.equals("FORWARD")) {
                        ipt.iptables("-N bench");
                    }
                    if (shape.equals("a user chain")) {
                        ipt.iptables("-A FORWARD -j bench");
                    }
                    for (int i = 1; i <= n; i++) {
                        ipt.iptables(shape.equals("jumps") ? "-A FORWARD -j bench"
                                : shape.equals("matches") ? "-A FORWARD -p udp"
                                : "-A " + (shape.equals("FORWARD") ? "FORWARD" : "bench") + " -p udp -s 198.51.100."
                                        + (i % 250 + 1) + " --dport " + (20000 + i) + " -j DROP");
                    }
                    double best = Double.MAX_VALUE;
                    for (int r = 0; r < ROUNDS; r++) {
                        long t0 = System.nanoTime();
                        for (int k = 0; k < PACKETS; k++) {
                            h.dev.inject(frame);
                            if ((k & 1023) == 1023) {
                                right.drain(); // FakeDevice keeps a copy of each frame sent
                            }
                        }
                        best = Math.min(best, (System.nanoTime() - t0) / (double) PACKETS);
                        right.drain();
                    }
                    if (pass == 1) {
                        System.out.printf("in-process forwarding, %d %s: %.0f ns/packet (best of %d rounds)%n", n,
                                n == 0 ? "FORWARD rules" : shape.equals("jumps") ? "jumps to an empty user chain"
                                        : shape.equals("matches") ? "rules that match and count, with no target"
                                        : "rules that do not match, in " + shape, best, ROUNDS);
                    }
                }
            }
        }
        ipt.iptables("-F");
        ipt.iptables("-X");
        h.close();
    }
}
