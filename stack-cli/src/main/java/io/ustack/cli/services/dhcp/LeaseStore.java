package io.ustack.cli.services.dhcp;

import io.ustack.core.wire.Ipv4Address;
import io.ustack.core.wire.MacAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The lease file: one bound lease a line, {@code MAC IP EXPIRES-EPOCH-MILLIS [HOSTNAME]}, after a header
 * line. Written atomically (a temporary file beside it, fsync, rename, fsync of the directory), so a reader
 * sees the old file or the new one whole; a temporary file a crash left behind is never read. A line that
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
        return file.resolveSibling(file.getFileName() + ".tmp");
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
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = temporary();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ)) {
            dir.force(true); // the rename itself reaches the disk
        } catch (IOException ignored) {
            // some file systems do not open directories; the rename is still atomic
        }
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
