package io.ustack.cli.services.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseStoreTest {
    @TempDir
    Path dir;

    private static Lease lease(String mac, String ip, long exp, String host) {
        return new Lease(MacAddress.parse(mac), Ipv4Address.parse(ip), exp, host, true);
    }

    @Test
    void roundTrip() throws Exception {
        LeaseStore s = new LeaseStore(dir.resolve("sub/dhcp.leases"));
        assertEquals(List.of(), s.load());
        List<Lease> leases = List.of(lease("02:00:00:00:00:01", "10.1.0.100", 1_700_000_000_000L, "box"),
                lease("02:00:00:00:00:02", "10.1.0.101", 1_700_000_100_000L, null));
        s.save(leases);
        assertEquals(leases, s.load());
        assertFalse(Files.exists(s.temporary()));
    }

    @Test
    void offeredLeasesAreNotWritten() throws Exception {
        LeaseStore s = new LeaseStore(dir.resolve("dhcp.leases"));
        s.save(List.of(new Lease(1, 2, 3, null, false)));
        assertEquals(List.of(), s.load());
    }

    @Test
    void aTornTemporaryFileIsIgnored() throws Exception {
        LeaseStore s = new LeaseStore(dir.resolve("dhcp.leases"));
        List<Lease> leases = List.of(lease("02:00:00:00:00:01", "10.1.0.100", 5, null));
        s.save(leases);
        // a crash in the middle of the next save: half a temporary file
        Files.writeString(s.temporary(), LeaseStore.HEADER + "\n02:00:00:00:00:09 10.1.0.1");
        assertEquals(leases, s.load());
        s.save(List.of()); // the next save replaces it
        assertEquals(List.of(), s.load());
        assertFalse(Files.exists(s.temporary()));
    }

    @Test
    void badLinesAreSkipped() throws Exception {
        Path f = dir.resolve("dhcp.leases");
        Files.writeString(f, "# header\ngarbage\n02:00:00:00:00:01 10.1.0.300 5\n02:00:00:00:00:01 10.1.0.100 x\n"
                + "02:00:00:00:00:01 10.1.0.100 5 host\n02:00:00:00:00:02 10.1.0");
        List<Lease> got = new LeaseStore(f).load();
        assertEquals(List.of(lease("02:00:00:00:00:01", "10.1.0.100", 5, "host")), got);
        assertTrue(got.get(0).bound());
    }
}
