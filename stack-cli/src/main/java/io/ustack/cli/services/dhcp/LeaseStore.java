package io.ustack.cli.services.dhcp;

import io.ustack.cli.AtomicFile;
import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The lease file: one bound lease a line, {@code MAC IP EXPIRES-EPOCH-MILLIS [HOSTNAME]}, after a header
 * line. Written with {@link AtomicFile}, so a reader sees the old file or the new one whole. A line that
 * does not parse is skipped.
 */
public final class LeaseStore {
    static final String HEADER = "# ustack dhcp leases v1: MAC IP EXPIRES-EPOCH-MILLIS [HOSTNAME]";

    private final Path file;

    public LeaseStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    Path temporary() {
        return AtomicFile.temporary(file);
    }

    /** Writes {@code leases} (bound ones only) in place of the file, atomically. */
    public void save(Collection<Lease> leases) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Lease l : leases) {
            if (!l.bound()) {
                continue;
            }
            sb.append(MacAddress.format(l.mac())).append(' ').append(Ipv4Address.format(l.ip())).append(' ').append(l.expires());
            if (l.hostname() != null) {
                sb.append(' ').append(l.hostname());
            }
            sb.append('\n');
        }
        AtomicFile.write(file, sb.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /** The leases in the file; none if there is no file. A leftover temporary file is ignored. */
    public List<Lease> load() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Lease> out = new ArrayList<>();
        for (String line : lines) {
            Lease l = parseLine(line);
            if (l != null) {
                out.add(l);
            }
        }
        return out;
    }

    static Lease parseLine(String line) {
        if (line.isBlank() || line.startsWith("#")) {
            return null;
        }
        String[] f = line.trim().split(" ");
        if (f.length < 3 || f.length > 4) {
            return null;
        }
        try {
            long mac = MacAddress.parse(f[0]);
            int ip = Ipv4Address.parse(f[1]);
            long expires = Long.parseLong(f[2]);
            return new Lease(mac, ip, expires, f.length == 4 ? f[3] : null, true);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
