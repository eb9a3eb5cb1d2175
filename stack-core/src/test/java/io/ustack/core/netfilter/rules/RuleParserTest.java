package io.ustack.core.netfilter.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rules as iptables takes them: every option, how each reads back, and every refusal's sentence. */
class RuleParserTest {
    private static Rule parse(Chain chain, String rule) {
        return RuleParser.parse(chain, words(rule));
    }

    private static List<String> words(String rule) {
        return rule.isEmpty() ? List.of() : Arrays.asList(rule.split(" "));
    }

    private static String refusal(Chain chain, String rule) {
        return assertThrows(IllegalArgumentException.class, () -> parse(chain, rule)).getMessage();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // typed | iptables -S form | prot | in | out | source | destination | extra
        "-j ACCEPT | -j ACCEPT | all | * | * | 0.0.0.0/0 | 0.0.0.0/0 | ''",
        "-p tcp --dport 22 -j DROP | -p tcp --dport 22 -j DROP | tcp | * | * | 0.0.0.0/0 | 0.0.0.0/0 | tcp dpt:22",
        "-p udp --sport 1000:2000 -j DROP | -p udp --sport 1000:2000 -j DROP | udp | * | * | 0.0.0.0/0 | 0.0.0.0/0 | udp spts:1000:2000",
        "-p tcp --sport :1023 --dport 8000: -j DROP | -p tcp --sport 0:1023 --dport 8000:65535 -j DROP | tcp | * | * | 0.0.0.0/0 | 0.0.0.0/0 | tcp spts:0:1023 dpts:8000:65535",
        "-p tcp ! --dport 22 -j ACCEPT | -p tcp ! --dport 22 -j ACCEPT | tcp | * | * | 0.0.0.0/0 | 0.0.0.0/0 | tcp dpt:!22",
        "-p icmp -s 10.1.2.3 -j DROP | -s 10.1.2.3 -p icmp -j DROP | icmp | * | * | 10.1.2.3 | 0.0.0.0/0 | ''",
        "! -s 10.1.2.3/16 -d 192.168.0.0/24 -j DROP | ! -s 10.1.0.0/16 -d 192.168.0.0/24 -j DROP | all | * | * | !10.1.0.0/16 | 192.168.0.0/24 | ''",
        "! -d 10.0.0.0/8 -j ACCEPT | ! -d 10.0.0.0/8 -j ACCEPT | all | * | * | 0.0.0.0/0 | !10.0.0.0/8 | ''",
        "-i eth+ ! -o tap0 -j DROP | -i eth+ ! -o tap0 -j DROP | all | eth+ | !tap0 | 0.0.0.0/0 | 0.0.0.0/0 | ''",
        "! -p udp -j DROP | ! -p udp -j DROP | !udp | * | * | 0.0.0.0/0 | 0.0.0.0/0 | ''",
        "-p 47 -j DROP | -p 47 -j DROP | 47 | * | * | 0.0.0.0/0 | 0.0.0.0/0 | ''",
        "-p all -j DROP | -j DROP | all | * | * | 0.0.0.0/0 | 0.0.0.0/0 | ''",
        "-p 6 -j DROP | -p tcp -j DROP | tcp | * | * | 0.0.0.0/0 | 0.0.0.0/0 | ''",
        "--protocol tcp --source 10.0.0.1 --destination 10.0.0.2 --in-interface a --out-interface b --source-port 1 --destination-port 2 --jump ACCEPT"
            + " | -s 10.0.0.1 -d 10.0.0.2 -i a -o b -p tcp --sport 1 --dport 2 -j ACCEPT | tcp | a | b | 10.0.0.1 | 10.0.0.2 | tcp spt:1 dpt:2",
        "--src 10.0.0.1 --dst 10.0.0.0/8 -p udp -m udp --dport 53 -j REJECT | -s 10.0.0.1 -d 10.0.0.0/8 -p udp --dport 53 -j REJECT | udp | * | * | 10.0.0.1 | 10.0.0.0/8 | udp dpt:53 reject-with icmp-port-unreachable",
        "-p tcp -j REJECT --reject-with tcp-reset | -p tcp -j REJECT --reject-with tcp-reset | tcp | * | * | 0.0.0.0/0 | 0.0.0.0/0 | reject-with tcp-reset",
        "-j REJECT --reject-with icmp-host-prohibited | -j REJECT --reject-with icmp-host-prohibited | all | * | * | 0.0.0.0/0 | 0.0.0.0/0 | reject-with icmp-host-prohibited",
        "-s 0.0.0.0/0 -j ACCEPT | -j ACCEPT | all | * | * | 0.0.0.0/0 | 0.0.0.0/0 | ''",
        "-m state --state ESTABLISHED,NEW -j ACCEPT | --state NEW,ESTABLISHED -j ACCEPT | all | * | * | 0.0.0.0/0 | 0.0.0.0/0 | state NEW,ESTABLISHED",
        "-p tcp -m tcp --dport 80 -m state --state NEW -j ACCEPT | -p tcp --dport 80 --state NEW -j ACCEPT | tcp | * | * | 0.0.0.0/0 | 0.0.0.0/0 | tcp dpt:80 state NEW",
        "-p tcp --dport 80 -m conntrack ! --ctstate INVALID,RELATED -j DROP | -p tcp --dport 80 ! --state INVALID,RELATED -j DROP | tcp | * | * | 0.0.0.0/0 | 0.0.0.0/0 | tcp dpt:80 state !INVALID,RELATED",
    })
    void everyOptionReadsAndPrintsAsIptablesDoes(String typed, String spec, String prot, String in, String out,
                                                 String source, String destination, String extra) {
        Rule r = parse(Chain.FORWARD, typed);
        assertEquals(spec, r.spec());
        assertEquals(prot, r.protocolText());
        assertEquals(in, r.inText());
        assertEquals(out, r.outText());
        assertEquals(source, r.sourceText());
        assertEquals(destination, r.destinationText());
        assertEquals(extra, r.extraText());
        assertEquals(spec, parse(Chain.FORWARD, spec).spec(), "the -S form reads back to the same rule");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // chain | typed | -S form | extra
        "POSTROUTING | -o eth1 -j MASQUERADE | -o eth1 -j MASQUERADE | ''",
        "POSTROUTING | -p tcp -j MASQUERADE --to-ports 1024-2000 | -p tcp -j MASQUERADE --to-ports 1024-2000 | masq ports: 1024-2000",
        "POSTROUTING | -s 10.0.0.0/24 -j SNAT --to 192.0.2.1 | -s 10.0.0.0/24 -j SNAT --to-source 192.0.2.1 | to:192.0.2.1",
        "POSTROUTING | -p udp -j SNAT --to-source 192.0.2.1:6000-6010 | -p udp -j SNAT --to-source 192.0.2.1:6000-6010 | to:192.0.2.1:6000-6010",
        "PREROUTING | -i eth0 -p tcp --dport 80 -j DNAT --to 10.2.0.2:8080 | -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.2.0.2:8080 | tcp dpt:80 to:10.2.0.2:8080",
        "PREROUTING | -d 10.0.0.2 -j DNAT --to-destination 10.2.0.2 | -d 10.0.0.2 -j DNAT --to-destination 10.2.0.2 | to:10.2.0.2",
    })
    void natTargetsReadAndPrintAsIptablesDoes(Chain chain, String typed, String spec, String extra) {
        Rule r = parse(chain, typed);
        assertEquals(spec, r.spec());
        assertEquals(extra, r.extraText());
        assertEquals(spec, parse(chain, spec).spec());
    }

    @Test
    void rejectAnswersCarryTheirIcmpCodes() {
        assertEquals(3, parse(Chain.INPUT, "-j REJECT").target().rejectWith().icmpCode());
        int[] codes = {0, 1, 3, 2, 9, 10, 13};
        String[] names = {"icmp-net-unreachable", "icmp-host-unreachable", "icmp-port-unreachable",
            "icmp-proto-unreachable", "icmp-net-prohibited", "icmp-host-prohibited", "icmp-admin-prohibited"};
        for (int i = 0; i < codes.length; i++) {
            Target t = parse(Chain.OUTPUT, "-j REJECT --reject-with " + names[i]).target();
            assertEquals(codes[i], t.rejectWith().icmpCode(), names[i]);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "FORWARD | '' | a rule needs a target: -j ACCEPT, DROP, REJECT, SNAT, DNAT or MASQUERADE",
        "FORWARD | -p tcp | a rule needs a target: -j ACCEPT, DROP, REJECT, SNAT, DNAT or MASQUERADE",
        "FORWARD | --foo 1 -j DROP | '--foo' is not a rule option; a rule takes -p, -s, -d, -i, -o, --sport, --dport, --state, -j and the target's options",
        "FORWARD | tcp -j DROP | 'tcp' is not a rule option; a rule takes -p, -s, -d, -i, -o, --sport, --dport, --state, -j and the target's options",
        "FORWARD | -j DROP -p | -p needs a value after it: icmp, tcp, udp, all or a protocol number",
        "FORWARD | -j | -j needs a value after it: ACCEPT, DROP, REJECT, SNAT, DNAT or MASQUERADE",
        "FORWARD | -p tcp --dport | --dport needs a value after it: a port or LO:HI",
        "FORWARD | -p foo -j DROP | -p 'foo' is not a protocol: use icmp, tcp, udp, all or a number from 0 to 255",
        "FORWARD | -p 256 -j DROP | -p '256' is not a protocol: use icmp, tcp, udp, all or a number from 0 to 255",
        "FORWARD | -p -1 -j DROP | -p '-1' is not a protocol: use icmp, tcp, udp, all or a number from 0 to 255",
        "FORWARD | ! -p all -j DROP | '! -p all' would never match",
        "FORWARD | -s 10.0.0.300 -j DROP | -s '10.0.0.300' is not an address or A.B.C.D/P",
        "FORWARD | -d 10.0.0.0/33 -j DROP | -d '10.0.0.0/33' is not an address or A.B.C.D/P",
        "FORWARD | -s host.example -j DROP | -s 'host.example' is not an address or A.B.C.D/P",
        "FORWARD | -p tcp --dport 70000 -j DROP | --dport '70000' is not a port or range: ports are 0 to 65535, a range is LO:HI",
        "FORWARD | -p tcp --sport ssh -j DROP | --sport 'ssh' is not a port or range: ports are 0 to 65535, a range is LO:HI",
        "FORWARD | -p tcp --dport 1:2:3 -j DROP | --dport '1:2:3' is not a port or range: ports are 0 to 65535, a range is LO:HI",
        "FORWARD | -p tcp --dport 90:80 -j DROP | --dport '90:80' has its low end above its high end",
        "FORWARD | --dport 22 -j DROP | --dport needs -p tcp or -p udp",
        "FORWARD | -p icmp --sport 22 -j DROP | --sport needs -p tcp or -p udp",
        "FORWARD | ! -p tcp --dport 22 -j DROP | --dport needs -p tcp or -p udp",
        "FORWARD | -p tcp -p udp -j DROP | -p is given twice",
        "FORWARD | -s 10.0.0.1 --source 10.0.0.2 -j DROP | -s is given twice",
        "FORWARD | -j DROP -j ACCEPT | -j is given twice",
        "FORWARD | -j DROP ! | '!' must be followed by the option it negates",
        "FORWARD | ! -j DROP | '!' cannot negate -j",
        "FORWARD | -i eth0/1 -j DROP | -i 'eth0/1' is not an interface name: at most 15 printable characters, no '/' or spaces",
        "FORWARD | -o abcdefghijklmnop -j DROP | -o 'abcdefghijklmnop' is not an interface name: at most 15 printable characters, no '/' or spaces",
        "FORWARD | -o a+b -j DROP | -o 'a+b' is not an interface name: at most 15 printable characters, no '/' or spaces",
        "INPUT | -o eth0 -j DROP | -o cannot be used in INPUT: packets there are not routed out yet",
        "PREROUTING | -o eth0 -j DROP | -o cannot be used in PREROUTING: packets there are not routed out yet",
        "OUTPUT | -i eth0 -j DROP | -i cannot be used in OUTPUT: packets there come from this host",
        "POSTROUTING | -i eth0 -j DROP | -i cannot be used in POSTROUTING: packets there come from this host",
        "FORWARD | -j LOG | -j 'LOG' is not a target: use ACCEPT, DROP, REJECT, SNAT, DNAT or MASQUERADE",
        "FORWARD | -j drop | -j 'drop' is not a target: use ACCEPT, DROP, REJECT, SNAT, DNAT or MASQUERADE",
        "FORWARD | -j SNAT --to 10.0.0.1 | SNAT can only be used in POSTROUTING, not in FORWARD",
        "OUTPUT | -j DNAT --to 10.0.0.1 | DNAT can only be used in PREROUTING, not in OUTPUT",
        "INPUT | -j MASQUERADE | MASQUERADE can only be used in POSTROUTING, not in INPUT",
        "POSTROUTING | -j SNAT | -j SNAT needs --to ADDR[:PORT[-PORT]]",
        "PREROUTING | -j DNAT | -j DNAT needs --to ADDR[:PORT]",
        "POSTROUTING | -j SNAT --to | --to needs a value after it: ADDR[:PORT[-PORT]] for SNAT, ADDR[:PORT] for DNAT, PORT[-PORT] for MASQUERADE's --to-ports",
        "POSTROUTING | -j SNAT --to 10.0.0.300 | --to '10.0.0.300' does not start with an IPv4 address",
        "POSTROUTING | -j SNAT --to-source :80 | --to-source ':80' does not start with an IPv4 address",
        "POSTROUTING | -p udp -j SNAT --to 10.0.0.1:0 | --to '10.0.0.1:0' has no valid port: ports are 1 to 65535, a range is LO-HI",
        "POSTROUTING | -p udp -j SNAT --to 10.0.0.1:x | --to '10.0.0.1:x' has no valid port: ports are 1 to 65535, a range is LO-HI",
        "POSTROUTING | -p udp -j SNAT --to 10.0.0.1:2000-1000 | --to '10.0.0.1:2000-1000' has its low port above its high port",
        "POSTROUTING | -j SNAT --to 10.0.0.1:2000 | a port in --to needs -p tcp or -p udp",
        "PREROUTING | -p tcp -j DNAT --to 10.0.0.1:80-81 | --to '10.0.0.1:80-81' has a port range; DNAT takes one port",
        "PREROUTING | -j DNAT --to-source 10.0.0.1 | --to-source belongs to -j SNAT, not -j DNAT",
        "POSTROUTING | -j SNAT --to-ports 1000 | --to-ports belongs to -j MASQUERADE, not -j SNAT",
        "POSTROUTING | -j MASQUERADE --to 10.0.0.1 | --to belongs to -j SNAT or -j DNAT, not -j MASQUERADE",
        "POSTROUTING | -j MASQUERADE --to-ports 1024-2000 | a port in --to-ports needs -p tcp or -p udp",
        "FORWARD | -j ACCEPT --to-destination 10.0.0.1 | --to-destination belongs to -j DNAT, not -j ACCEPT",
        "FORWARD | -j DROP --reject-with tcp-reset | --reject-with belongs to -j REJECT, not -j DROP",
        "FORWARD | -j REJECT --reject-with icmp-bogus | --reject-with 'icmp-bogus' is not a REJECT answer: use icmp-net-unreachable, icmp-host-unreachable, icmp-port-unreachable, icmp-proto-unreachable, icmp-net-prohibited, icmp-host-prohibited, icmp-admin-prohibited or tcp-reset",
        "FORWARD | -p udp -j REJECT --reject-with tcp-reset | --reject-with tcp-reset needs -p tcp",
        "FORWARD | ! -p tcp -j REJECT --reject-with tcp-reset | --reject-with tcp-reset needs -p tcp",
        "PREROUTING | -j REJECT | REJECT can only be used in INPUT, FORWARD and OUTPUT, not in PREROUTING",
        "POSTROUTING | -j REJECT | REJECT can only be used in INPUT, FORWARD and OUTPUT, not in POSTROUTING",
        "FORWARD | -m recent -j DROP | -m 'recent' is not a match this stack has; it knows tcp, udp, state and conntrack",
        "FORWARD | --state NEW,BOGUS -j DROP | --state 'NEW,BOGUS' names 'BOGUS', which is not a state: use NEW, ESTABLISHED, RELATED or INVALID, comma-separated",
        "FORWARD | --state NEW, -j DROP | --state 'NEW,' names '', which is not a state: use NEW, ESTABLISHED, RELATED or INVALID, comma-separated",
        "FORWARD | --state new -j DROP | --state 'new' names 'new', which is not a state: use NEW, ESTABLISHED, RELATED or INVALID, comma-separated",
    })
    void everyMistakeIsOneSentenceNamingIt(Chain chain, String rule, String sentence) {
        assertEquals(sentence, refusal(chain, rule));
    }

    @Test
    void chainsAreNamedAsIptablesNamesThem() {
        assertEquals(Chain.POSTROUTING, Chain.parse("POSTROUTING"));
        assertEquals("there is no chain 'forward'; the chains are PREROUTING, INPUT, FORWARD, OUTPUT and POSTROUTING",
                assertThrows(IllegalArgumentException.class, () -> Chain.parse("forward")).getMessage());
    }
}
