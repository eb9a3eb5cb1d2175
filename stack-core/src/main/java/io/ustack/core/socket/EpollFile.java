package io.ustack.core.socket;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An epoll instance (fs/eventpoll.c): the sockets it watches, with the events and data each was added with.
 * Level-triggered by default; EPOLLET reports a socket again only after a new event on it, EPOLLONESHOT
 * once until EPOLL_CTL_MOD re-arms it. Errors and hang-ups are reported whether asked for or not.
 */
final class EpollFile extends SocketFile {
    private final Map<Integer, Interest> interests = new LinkedHashMap<>();

    private static final class Interest {
        final SocketFile file;
        int events;
        long data;
        long reportedAt = -1;
        boolean disarmed;

        Interest(SocketFile file, int events, long data) {
            this.file = file;
            this.events = events;
            this.data = data;
        }
    }

    EpollFile(WaitQueue waits) {
        super(waits, false);
    }

    /** epoll_ctl. */
    synchronized void control(int op, int fd, SocketFile file, int events, long data) throws ErrnoException {
        Interest old = interests.get(fd);
        switch (op) {
            case Abi.EPOLL_CTL_ADD -> {
                if (old != null) {
                    throw new ErrnoException(Errno.EEXIST);
                }
                interests.put(fd, new Interest(file, events, data));
            }
            case Abi.EPOLL_CTL_MOD -> {
                if (old == null) {
                    throw new ErrnoException(Errno.ENOENT);
                }
                old.events = events;
                old.data = data;
                old.disarmed = false;
                old.reportedAt = -1;
            }
            case Abi.EPOLL_CTL_DEL -> {
                if (old == null) {
                    throw new ErrnoException(Errno.ENOENT);
                }
                interests.remove(fd);
            }
            default -> throw new ErrnoException(Errno.EINVAL);
        }
        waits.wake();
    }

    /** A descriptor closed: it leaves every epoll set, as its last close removes it from them. */
    synchronized void forget(int fd) {
        interests.remove(fd);
    }

    /** ep_send_events: what is ready now, at most {@code max}; empty when epoll_wait would block. */
    synchronized List<Sockets.EpollEvent> ready(int max) {
        List<Sockets.EpollEvent> out = new ArrayList<>();
        for (Interest in : interests.values()) {
            if (out.size() == max) {
                break;
            }
            if (in.disarmed) {
                continue;
            }
            long seen = in.file.eventCount();
            int mask = in.file.poll() & (in.events | Abi.POLLERR | Abi.POLLHUP);
            if (mask == 0) {
                continue;
            }
            if ((in.events & Abi.EPOLLET) != 0) {
                if (seen == in.reportedAt) {
                    continue;
                }
                in.reportedAt = seen;
            }
            if ((in.events & Abi.EPOLLONESHOT) != 0) {
                in.disarmed = true;
            }
            out.add(new Sockets.EpollEvent(mask, in.data));
        }
        return out;
    }

    /** An epoll descriptor is readable while one of its sockets is ready (nested epoll, poll on an epoll fd). */
    @Override
    synchronized int poll() {
        for (Interest in : interests.values()) {
            if (!in.disarmed && (in.file.poll() & (in.events | Abi.POLLERR | Abi.POLLHUP)) != 0) {
                return Abi.POLLIN | Abi.POLLRDNORM;
            }
        }
        return 0;
    }

    @Override
    void release() {
        synchronized (this) {
            interests.clear();
        }
    }
}
