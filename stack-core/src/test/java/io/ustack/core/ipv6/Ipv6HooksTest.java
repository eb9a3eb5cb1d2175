package io.ustack.core.ipv6;

import static io.ustack.core.testing.Frames.echoBody;
import static io.ustack.core.testing.Frames.icmpv6;
import static io.ustack.core.testing.Frames.ipv6;
import static io.ustack.core.testing.Frames.pattern;
import static io.ustack.core.testing.StackHarness.HOST_IP6;
import static io.ustack.core.testing.StackHarness.STACK_IP6;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ustack.core.netfilter.Hook;
import io.ustack.core.netfilter.Verdict;
import io.ustack.core.testing.StackHarness;
import io.ustack.core.wire.Ipv6Packet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The IPv6 netfilter hooks where ip6_input.c and ip6_output.c call NF_HOOK: a ping -6 to the stack passes
 * PRE_ROUTING and LOCAL_IN (in: eth0), its reply LOCAL_OUT and POST_ROUTING (out: eth0), and none of IPv4's.
 */
class Ipv6HooksTest {
    private final StackHarness h = StackHarness.withIpv6();
    private final List<String> seen = new ArrayList<>();

    @AfterEach
    void leakCheck() {
        h.close();
    }

    private static byte[] ping(int seq) {
        return ipv6(HOST_IP6, STACK_IP6, 58, 64, icmpv6(HOST_IP6, STACK_IP6, 128, 0, echoBody(7, seq, pattern(8))));
    }

    /** Records each hook a packet passes at, with its devices and ICMPv6 type; answers {@code verdict} at {@code at}. */
    private void record(Hook at, Verdict verdict) {
        for (Hook hook : Hook.values()) {
            h.stack.netfilter6().register(hook, 0, "test", (pkt, state) -> {
                int type = pkt.u8(pkt.networkHeader() + Ipv6Packet.HEADER_LEN);
                seen.add(hook + " " + (state.in() == null ? "-" : state.in().name()) + " "
                        + (state.out() == null ? "-" : state.out().name()) + " " + type);
                return hook == at ? verdict : Verdict.ACCEPT;
            });
            h.stack.netfilter().register(hook, 0, "test", (pkt, state) -> {
                seen.add("IPv4 " + hook);
                return Verdict.ACCEPT;
            });
        }
    }

    @Test
    void anEchoAndItsReplyPassTheFourHooksOfTheLocalPaths() {
        record(null, Verdict.ACCEPT);
        h.injectIp6(ping(1));
        assertEquals(1, h.sent().size());
        assertEquals(List.of("PRE_ROUTING eth0 - 128", "LOCAL_IN eth0 - 128", "LOCAL_OUT - eth0 129",
                "POST_ROUTING - eth0 129"), seen);
    }

    @Test
    void aDropAtEachHookStopsThePacketThereCounted() {
        for (Hook at : List.of(Hook.PRE_ROUTING, Hook.LOCAL_IN, Hook.LOCAL_OUT, Hook.POST_ROUTING)) {
            for (Hook hook : Hook.values()) {
                h.stack.netfilter6().unregister(hook, "test");
                h.stack.netfilter().unregister(hook, "test");
            }
            seen.clear();
            record(at, Verdict.DROP);
            long before = h.counter("DropReasonNETFILTER_DROP");
            h.injectIp6(ping(2));
            assertEquals(0, h.sent().size(), at + ": nothing answers");
            assertEquals(before + 1, h.counter("DropReasonNETFILTER_DROP"), at.name());
            assertEquals(at, Hook.valueOf(seen.get(seen.size() - 1).split(" ")[0]), "the last hook passed");
        }
        assertEquals(2L, h.counter("Icmp6InEchos"), "the two requests that got past LOCAL_IN");
    }

    @Test
    void withNoFunctionsEveryHookIsEmpty() {
        h.injectIp6(ping(3));
        assertEquals(1, h.sent().size());
        for (Hook hook : Hook.values()) {
            assertEquals(List.of(), h.stack.netfilter6().functions(hook));
        }
    }
}
