package io.ustack.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ustack.core.wire.Ipv4Prefix;
import io.ustack.core.wire.Ipv6Prefix;
import io.ustack.core.wire.MacAddress;
import io.ustack.driver.tap.TapConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IfaceSpecTest {
    @Test
    void everyKey() {
        IfaceSpec s = IfaceSpec.parse("tap3,addr=10.1.0.2/16,host=10.1.0.1/16,mac=02:00:00:00:00:07,mtu=9000,queues=4,offload=off,ra=on");
        assertEquals("tap3", s.name());
        assertEquals(Ipv4Prefix.parse("10.1.0.2/16"), s.addr());
        assertEquals(Ipv4Prefix.parse("10.1.0.1/16"), s.tap().host());
        assertEquals(MacAddress.parse("02:00:00:00:00:07"), s.tap().mac());
        assertEquals(9000, s.tap().mtu());
        assertEquals(4, s.tap().queues());
        assertFalse(s.tap().offload());
        assertTrue(s.ra());
        assertEquals("tap3 10.1.0.2/16 (host 10.1.0.1/16) ra", s.describe());
    }

    @Test
    void addrAndHostRepeatForIpv6() {
        IfaceSpec s = IfaceSpec.parse("tap0,addr=10.77.0.2/24,addr=fd00:77::2/64,host=10.77.0.1/24,host=fd00:77::1/64,addr=fd00:78::2/48");
        assertEquals(Ipv4Prefix.parse("10.77.0.2/24"), s.addr());
        assertEquals(java.util.List.of(Ipv6Prefix.parse("fd00:77::2/64"), Ipv6Prefix.parse("fd00:78::2/48")), s.addrs6());
        assertEquals(Ipv4Prefix.parse("10.77.0.1/24"), s.tap().host());
        assertEquals(java.util.List.of(Ipv6Prefix.parse("fd00:77::1/64")), s.tap().host6());
        assertEquals("tap0 10.77.0.2/24 fd00:77::2/64 fd00:78::2/48 (host 10.77.0.1/24 fd00:77::1/64)", s.describe());
        IfaceSpec only6 = IfaceSpec.parse("tap1,addr=fd01::1/64");
        assertEquals(java.util.List.of(), only6.addrs());
        assertNull(only6.addr());
        assertEquals("tap1 fd01::1/64", only6.describe());
    }

    @Test
    void addrRepeatsForIpv4SecondariesTheFirstBeingThePrimary() {
        IfaceSpec s = IfaceSpec.parse("tap0,addr=10.77.0.2/24,addr=10.77.0.3/24,addr=10.78.0.2/16");
        assertEquals(Ipv4Prefix.parse("10.77.0.2/24"), s.addr());
        assertEquals(java.util.List.of(Ipv4Prefix.parse("10.77.0.2/24"), Ipv4Prefix.parse("10.77.0.3/24"),
                Ipv4Prefix.parse("10.78.0.2/16")), s.addrs());
        assertEquals("tap0 10.77.0.2/24 10.77.0.3/24 10.78.0.2/16", s.describe());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            tap0,addr=fd00::1                      | addr needs a prefix length, like fd00:77::2/64
            tap0,host=fd00::1                      | host needs a prefix length, like fd00:77::1/64
            tap0,addr=ff02::1/64                   | addr needs a unicast address and a non-zero prefix length, like fd00:77::2/64
            tap0,addr=::/64                        | addr needs a unicast address and a non-zero prefix length, like fd00:77::2/64
            tap0,addr=fd00::1/0                    | addr needs a unicast address and a non-zero prefix length, like fd00:77::2/64
            tap0,addr=fd00::1/64,addr=fd00::1/64   | fd00::1 is given twice
            tap0,addr=fd00::1/64,host=fd00::1/64   | fd00::1 is given twice
            tap0,addr=10.0.0.1/24,addr=10.0.0.1/16 | 10.0.0.1 is given twice
            """)
    void badIpv6SpecsSayWhatIsWrong(String spec, String sentence) {
        assertEquals(sentence, assertThrows(IllegalArgumentException.class, () -> IfaceSpec.parse(spec)).getMessage());
    }

    @Test
    void aBareNameTakesTheDriversDefaults() {
        IfaceSpec s = IfaceSpec.parse("veth-ish0");
        assertNull(s.addr());
        assertNull(s.tap().host());
        assertEquals(TapConfig.DEFAULT_MTU, s.tap().mtu());
        assertTrue(s.tap().offload(), "offloads on by default");
        assertFalse(s.ra(), "no Router Advertisements unless asked for");
        assertEquals(1, s.tap().queues());
        assertEquals("veth-ish0", s.describe());
    }

    @Test
    void aNameOfFifteenCharactersIsTheLongestAllowed() {
        assertEquals("abcdefghijklmno", IfaceSpec.parse("abcdefghijklmno").name());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            tap0,mtu=abc                 | mtu must be a number between 68 and 65535
            tap0,mtu=67                  | mtu must be a number between 68 and 65535
            tap0,mtu=65536               | mtu must be a number between 68 and 65535
            tap0,queues=0                | queues must be a number between 1 and 256
            tap0,queues=-1               | queues must be a number between 1 and 256
            tap0,queues=257              | queues must be a number between 1 and 256
            tap0,speed=10                | unknown key 'speed' (keys: addr, host, mac, mtu, queues, offload, ra, dhcp, dhcp-lease, dhcp-dns, dhcp-static)
            tap0,mtu                     | 'mtu' is not KEY=VALUE (keys: addr, host, mac, mtu, queues, offload, ra, dhcp, dhcp-lease, dhcp-dns, dhcp-static)
            tap0,                        | '' is not KEY=VALUE (keys: addr, host, mac, mtu, queues, offload, ra, dhcp, dhcp-lease, dhcp-dns, dhcp-static)
            tap0,mtu=1500,mtu=9000       | mtu is given twice
            tap0,offload=no              | offload must be on or off, not 'no'
            tap0,ra=yes                  | ra must be on or off, not 'yes'
            tap0,ra=on,ra=off            | ra is given twice
            abcdefghijklmnop             | interface name 'abcdefghijklmnop' is longer than 15 characters, the kernel's limit
            addr=10.0.0.1/24             | it must start with an interface name, like tap0
            ,addr=10.0.0.1/24            | it must start with an interface name, like tap0
            tap0,addr=0.0.0.0/24         | addr needs a non-zero address and prefix length, like 10.77.0.2/24
            tap0,host=10.0.0.1/0         | host needs a non-zero address and prefix length, like 10.77.0.1/24
            tap0,addr=10.1.2.3           | addr needs its prefix length, like addr=10.1.2.3/24
            tap0,host=10.1.2.1           | host needs its prefix length, like host=10.1.2.1/24
            tap0,addr=10.0.0.1/24,host=10.0.0.1/24 | addr and host are both 10.0.0.1; the stack and the host side each need their own address
            """)
    void badSpecsSayWhatIsWrong(String spec, String sentence) {
        assertEquals(sentence, assertThrows(IllegalArgumentException.class, () -> IfaceSpec.parse(spec)).getMessage());
    }

    /** Addresses and MACs are judged by stack-core's parsers: their sentence, named by the key. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            tap0,addr=10.0.0.300/24 | addr | 10.0.0.300/24
            tap0,addr=10.0.0.1/33   | addr | 10.0.0.1/33
            tap0,host=10.0.0.1/x    | host | 10.0.0.1/x
            """)
    void badAddressesGetTheCoresSentenceNamedByTheirKey(String spec, String key, String value) {
        String core = assertThrows(IllegalArgumentException.class, () -> Ipv4Prefix.parse(value)).getMessage();
        assertEquals(key + ": " + core, assertThrows(IllegalArgumentException.class, () -> IfaceSpec.parse(spec)).getMessage());
    }

    @Test
    void badMacsGetTheCoresSentence() {
        String core = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:00:00:00:00")).getMessage();
        assertEquals("mac: " + core,
                assertThrows(IllegalArgumentException.class, () -> IfaceSpec.parse("tap0,mac=02:00:00:00:00")).getMessage());
    }

    /** What the driver's TapConfig refuses (a multicast MAC, a '/' in the name) it says in its own words. */
    @Test
    void theDriversChecksComeLast() {
        String multicast = assertThrows(IllegalArgumentException.class,
                () -> new TapConfig("tap0", MacAddress.parse("01:00:5e:00:00:01"), 0, 0, null, true)).getMessage();
        assertEquals(multicast, assertThrows(IllegalArgumentException.class,
                () -> IfaceSpec.parse("tap0,mac=01:00:5e:00:00:01")).getMessage());
        String slash = assertThrows(IllegalArgumentException.class, () -> TapConfig.of("tap/0")).getMessage();
        assertEquals(slash, assertThrows(IllegalArgumentException.class, () -> IfaceSpec.parse("tap/0")).getMessage());
    }

    @Test
    void dhcpPool() {
        IfaceSpec s = IfaceSpec.parse("tapL,addr=10.1.0.1/24,dhcp=10.1.0.100-10.1.0.199,dhcp-lease=600,dhcp-dns=9.9.9.9,"
                + "dhcp-dns=1.1.1.1,dhcp-static=02:00:00:00:00:05=10.1.0.5");
        assertEquals(io.ustack.core.wire.Ipv4Address.parse("10.1.0.100"), s.dhcp().first());
        assertEquals(100, s.dhcp().size());
        assertEquals(600, s.dhcp().leaseSeconds());
        assertEquals(2, s.dhcp().dns().size());
        assertEquals(io.ustack.core.wire.Ipv4Address.parse("10.1.0.5"), s.dhcp().statics().get(MacAddress.parse("02:00:00:00:00:05")));
        assertEquals(3600, IfaceSpec.parse("tapL,addr=10.1.0.1/24,dhcp=10.1.0.100-10.1.0.199").dhcp().leaseSeconds());
        assertNull(IfaceSpec.parse("tapL,addr=10.1.0.1/24").dhcp());
        assertEquals("tapL 10.1.0.1/24 dhcp 10.1.0.100-10.1.0.199",
                IfaceSpec.parse("tapL,addr=10.1.0.1/24,dhcp=10.1.0.100-10.1.0.199").describe());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "tapL,addr=10.1.0.1/24,dhcp=10.2.0.100-10.2.0.199|dhcp=10.2.0.100-10.2.0.199 is not inside the interface's network 10.1.0.0/24",
            "tapL,addr=10.1.0.1/24,dhcp=10.1.0.100-10.1.1.5|dhcp=10.1.0.100-10.1.1.5 is not inside the interface's network 10.1.0.0/24",
            "tapL,addr=10.1.0.1/24,dhcp=10.1.0.1-10.1.0.199|dhcp=10.1.0.1-10.1.0.199 holds the interface's own address 10.1.0.1",
            "tapL,addr=10.1.0.150/24,dhcp=10.1.0.100-10.1.0.199|dhcp=10.1.0.100-10.1.0.199 holds the interface's own address 10.1.0.150",
            "tapL,addr=10.1.0.1/24,dhcp=10.1.0.199-10.1.0.100|dhcp=10.1.0.199-10.1.0.100 ends before it starts",
            "tapL,addr=10.1.0.1/24,dhcp=10.1.0.2-10.1.0.255|dhcp=10.1.0.2-10.1.0.255 holds the network's or its broadcast address",
            "tapL,addr=10.0.0.1/8,dhcp=10.1.0.0-10.2.0.0|dhcp=10.1.0.0-10.2.0.0 holds more than 65536 addresses",
            "tapL,addr=10.1.0.1/24,dhcp=10.1.0.100|dhcp needs a range FIRST-LAST, like dhcp=10.1.0.100-10.1.0.199",
            "tapL,addr=10.1.0.1/24,dhcp=10.1.0.100-x|dhcp: 'x' is not an IPv4 address",
            "tapL,dhcp=10.1.0.100-10.1.0.199|dhcp needs the interface's own IPv4 address (addr=) to serve a pool",
            "tapL,addr=10.1.0.1/24,dhcp-dns=1.1.1.1|dhcp-lease, dhcp-dns and dhcp-static need a pool, like dhcp=10.1.0.100-10.1.0.199",
            "tapL,addr=10.1.0.1/24,dhcp=10.1.0.100-10.1.0.199,dhcp-lease=5|dhcp-lease must be a number between 60 and 31536000",
            "tapL,addr=10.1.0.1/24,dhcp=10.1.0.100-10.1.0.199,dhcp-static=02:00:00:00:00:05|dhcp-static needs MAC=IP, like dhcp-static=02:00:00:00:00:01=10.1.0.50",
            "tapL,addr=10.1.0.1/24,dhcp=10.1.0.100-10.1.0.199,dhcp-static=02:00:00:00:00:05=10.2.0.5|dhcp-static address 10.2.0.5 is not a host address of the interface's network other than its own",
            "tapL,addr=10.1.0.1/24,dhcp=10.1.0.100-10.1.0.199,dhcp=10.1.0.100-10.1.0.199|dhcp is given twice",
    })
    void dhcpErrors(String spec, String sentence) {
        assertEquals(sentence, assertThrows(IllegalArgumentException.class, () -> IfaceSpec.parse(spec)).getMessage());
    }
}
