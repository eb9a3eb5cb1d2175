package io.ustack.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A firewall script of 36 real iptables lines (firewall.sh: user-defined chains, multiport, conntrack, limit,
 * LOG, TCPMSS clamping, MARK and DSCP, MASQUERADE, DNAT, NOTRACK) applied with {@code ustack iptables} to the
 * daemon routing between two namespaces, its effects checked with traffic from Linux on both sides: what is
 * refused, dropped and logged, clamped and translated. Then the tables are saved with {@code
 * ustack iptables-save}, emptied, and restored from the file with {@code ustack iptables-restore}, and the
 * same effects are checked again; then the whole configuration is saved with {@code ustack save}, the daemon
 * restarted from that file alone, and the effects checked a third time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FirewallScriptIT {
    private static final int OPEN = 7000;
    private static final int REJECTED = 7001;
    private static final int CLAMPED = 7002;

    private RouterOnTaps router;
    private NfPeer peer;

    @BeforeAll
    void up() throws Exception {
        RootRequirement.require("ip", "ping", "python3", "sh");
        router = RouterOnTaps.start("fw", "", "--backlog-threads", "2", "--serve", "none");
        peer = new NfPeer(router.work, router.rightNs, router.leftNs);
        for (int port : new int[] {OPEN, REJECTED, CLAMPED}) {
            peer.start("serve", port);
        }
        // the right host has no way back to the left network: only MASQUERADE lets answers return
        router.rightNs.exec("ip", "route", "del", "default").ok();
    }

    /** The servers stop first, then the daemon (exit 0, both TAPs removed) and the namespaces. */
    @AfterAll
    void down() throws Exception {
        try (RouterOnTaps r = router; NfPeer p = peer) {
            // closed in reverse order, each even if the other fails
        }
    }

    private String server() {
        return router.net + ".2.2";
    }

    /** A ustack command against the daemon, which must succeed. */
    private Cmd ok(String... args) {
        List<String> argv = new ArrayList<>(List.of("--control", router.daemon.control.toString()));
        argv.addAll(List.of(args));
        Cmd c = Cmd.run(60, Daemon.command(argv.toArray(String[]::new)));
        assertEquals(0, c.exit(), String.join(" ", args) + ": " + c.output());
        return c;
    }

    private String report(Cmd failed) {
        return failed.output() + "\n---- iptables-save -c ----\n" + ok("iptables-save", "-c").output()
                + "---- daemon log ----\n" + router.daemon.log() + "---- server ----\n" + peer.log();
    }

    @Test
    @Order(1)
    void theScriptAppliesLineByLine() throws Exception {
        Path script = router.work.resolve("firewall.sh");
        try (InputStream in = FirewallScriptIT.class.getResourceAsStream("/firewall.sh")) {
            Files.copy(in, script);
        }
        List<String> java = Daemon.command();
        Cmd c = Cmd.run(300, List.of("env", "JAVA=" + java.get(0), "JAR=" + java.get(2),
                "CONTROL=" + router.daemon.control, "LAN=" + router.left, "WAN=" + router.right, "SERVER=" + server(),
                "sh", script.toString()));
        assertEquals(0, c.exit(), c.output());
        String rules = ok("iptables", "-S").output();
        System.out.println("$ ustack iptables -S\n" + rules);
        assertTrue(rules.contains("-A lan_out -p tcp -m multiport --dports 7000,7002 -m conntrack --ctstate NEW -j ACCEPT\n"),
                rules);
        effects("applied line by line");
    }

    @Test
    @Order(2)
    void savedEmptiedAndRestoredTheRulesDoTheSame() {
        String saved = ok("iptables-save").output();
        Path file = router.work.resolve("rules.v4");
        try {
            Files.writeString(file, saved);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        for (String table : List.of("filter", "nat", "mangle", "raw")) {
            ok("iptables", "-t", table, "-F");
            ok("iptables", "-t", table, "-X");
        }
        ok("iptables", "-P", "FORWARD", "ACCEPT");
        ok("conntrack", "flush");
        Cmd open = peer.connect(server(), OPEN);
        assertEquals("timeout", open.output().lines().findFirst().orElse(""),
                "no MASQUERADE: the answer cannot come back: " + open.output());
        ok("iptables-restore", file.toString());
        assertEquals(rules(saved), rules(ok("iptables-save").output()));
        effects("restored from " + file);
    }

    @Test
    @Order(3)
    void savedWithTheConfigurationTheRulesComeBackAfterARestart() throws Exception {
        String before = rules(ok("iptables-save").output());
        Path conf = router.work.resolve("ustack.yaml");
        assertEquals("saved to " + conf + "\n", ok("save", conf.toString()).output());
        assertTrue(Files.readString(conf).contains("\nrules: |\n"), Files.readString(conf));
        router.restart(false, "--config", conf.toString());
        assertEquals(byTable(before), byTable(rules(ok("iptables-save").output())),
                "the same rules after the restart (the tables made in another order)");
        effects("after a restart from " + conf);
    }

    /** iptables-save's text without its comments and policy counters (a restore without --counters zeroes them). */
    private static String rules(String saved) {
        return saved.replaceAll("(?m)^#.*\n", "").replaceAll("(?m)^(:.*) \\[\\d+:\\d+\\]$", "$1");
    }

    /** Each table's section of an iptables-save, in the order of their names. */
    private static List<String> byTable(String saved) {
        return java.util.Arrays.stream(saved.split("(?<=COMMIT\n)")).sorted().toList();
    }

    /** What the script does to traffic, checked with Linux on both sides. */
    private void effects(String how) {
        // MASQUERADE: the server sees the router's address, and its answer finds its way back
        Cmd c = peer.connect(server(), OPEN);
        assertTrue(c.output().startsWith("hello"), how + ": " + report(c));
        String[] seen = peer.peers().get(peer.peers().size() - 1);
        assertEquals(router.net + ".2.1", seen[1], how + ": the server saw the router's address");
        int mss = Integer.parseInt(seen[4]);
        assertTrue(mss > 1200, how + ": 7000's SYN kept its MSS (eth MTU 1500, clamped to 1460): " + mss);

        // TCPMSS --set-mss 1200 on SYNs to 7002: the server may send no more than 1200 less its options
        c = peer.connect(server(), CLAMPED);
        assertTrue(c.output().startsWith("hello"), how + ": " + report(c));
        seen = peer.peers().get(peer.peers().size() - 1);
        assertTrue(Integer.parseInt(seen[4]) <= 1200, how + ": clamped to 1200: " + String.join(" ", seen));

        // multiport: 7001 is not among the open ports, and lan_out refuses it with a reset at once
        int served = peer.peers().size();
        c = peer.connect(server(), REJECTED);
        assertTrue(c.output().startsWith("refused"), how + ": " + report(c));
        assertEquals(served, peer.peers().size(), how + ": nothing reached the server");

        // limit: a burst of 4 echo requests, then 2 a second; the rest go to logdrop, logged and dropped
        Cmd ping = router.leftNs.exec("ping", "-c", "12", "-i", "0.05", "-W", "1", server());
        Matcher m = Pattern.compile("(\\d+) received").matcher(ping.output());
        assertTrue(m.find(), ping.output());
        int received = Integer.parseInt(m.group(1));
        assertTrue(received >= 4 && received <= 7, how + ": the limit let " + received + " of 12 through: " + ping.output());
        String log = router.daemon.log();
        assertTrue(Pattern.compile("fw-drop: IN=" + router.left + " OUT=" + router.right + " MAC=[0-9a-f:]{41} SRC="
                + Pattern.quote(router.net + ".1.2") + " DST=" + Pattern.quote(server()) + " LEN=84 TOS=0x00 PREC=0x00 "
                + "TTL=63 ID=\\d+ (DF )?PROTO=ICMP TYPE=8 CODE=0 ID=\\d+ SEQ=\\d+").matcher(log).find(), how + ": " + log);

        String list = ok("iptables", "-L", "lan_out", "-v", "-n", "-x").output();
        System.out.println("$ ustack iptables -L lan_out -v -n -x   (" + how + ")\n" + list);
        assertTrue(Pattern.compile("(?m)^\\s+[1-9]\\d*\\s+\\d+ REJECT\\s+6\\s+--\\s+\\*\\s+\\*\\s+0\\.0\\.0\\.0/0\\s+"
                + "0\\.0\\.0\\.0/0\\s+tcp dpt:7001 reject-with tcp-reset$").matcher(list).find(), list);
    }
}
