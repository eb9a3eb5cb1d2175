package io.ustack.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file's contents so that a reader, or a process that starts after a crash, finds the old file or
 * the new one whole, never a mix: the new contents go to a temporary file in the same folder (so the rename
 * cannot cross file systems), which is flushed to the disk (fsync), renamed over the file (rename(2) is
 * atomic), and then the folder is flushed so the rename itself is on the disk. A temporary file that a crash
 * left behind is overwritten by the next write and never read.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** The temporary file a write of {@code file} goes through: beside it, with ".tmp" added. */
    public static Path temporary(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    /** Writes {@code content} in place of {@code file}, creating its folder if need be. */
    public static void write(Path file, byte[] content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = temporary(file);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
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
}
