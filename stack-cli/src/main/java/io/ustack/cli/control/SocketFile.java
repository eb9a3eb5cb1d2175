package io.ustack.cli.control;

import io.ustack.cli.UserException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The control socket's file: making its path ready for bind(2), restricting it, removing it. */
final class SocketFile {
    private static final System.Logger LOG = System.getLogger(SocketFile.class.getName());
    /** sockaddr_un.sun_path is 108 bytes, including the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketFile() {
    }

    /**
     * Makes {@code path} free to bind: creates its directory (mode 0700) if missing and removes a stale socket
     * left by a daemon that died. Refuses, with a sentence, a path that is too long, a directory it cannot
     * write, a file that is not a socket, and a socket another daemon still listens on.
     */
    static void claim(Path path) {
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new UserException("the control socket path " + path + " is longer than " + MAX_PATH_BYTES
                    + " bytes, the limit for a Unix socket; pass a shorter --control PATH");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            removeStale(path);
        }
        // Not null: only the root directory has no parent, and it exists, so removeStale refused it.
        Path dir = path.getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new UserException("cannot create the control socket's directory " + dir + ": " + reason(e));
            }
        }
        if (!Files.isWritable(dir)) {
            throw new UserException("cannot create the control socket in " + dir
                    + ": permission denied; pass --control PATH in a directory you can write");
        }
    }

    /** Removes a socket file whose daemon is gone; refuses anything else. */
    private static void removeStale(Path path) {
        if (!isSocket(path)) {
            throw new UserException(path + " exists and is not a socket; remove it or pass another --control PATH");
        }
        if (isListening(path)) {
            throw new UserException("another ustack daemon is listening on " + path);
        }
        LOG.log(System.Logger.Level.INFO, "removing the stale control socket {0}", path);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UserException("cannot remove the stale control socket " + path + ": " + reason(e));
        }
    }

    /** chmod 0600: only the daemon's user may connect (the peer check then also admits root). */
    static void restrictToOwner(Path path) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UserException("cannot restrict the control socket " + path + " to its owner: " + reason(e));
        }
    }

    /** Removes the socket file at shutdown; a failure is only worth a warning then. */
    static void remove(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove the control socket {0}: {1}", path, reason(e));
        }
    }

    private static boolean isSocket(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (IOException e) {
            throw new UserException("cannot inspect " + path + ": " + reason(e));
        }
    }

    /**
     * Whether a process accepts connections at the socket: connect(2) succeeds for a live daemon and fails
     * with ECONNREFUSED for a socket file whose listener is gone. Any other failure (EACCES...) leaves the
     * question open, so the socket is left alone.
     */
    private static boolean isListening(Path path) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            throw new UserException("cannot tell whether a daemon still listens on " + path + ": " + reason(e));
        }
    }

    /** An IOException's cause in words, without Java class names. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        return e.getMessage();
    }
}
