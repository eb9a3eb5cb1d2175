package io.ustack.cli.packetdrill;

import io.ustack.core.socket.Abi;
import io.ustack.core.socket.Errno;
import io.ustack.core.socket.ErrnoException;
import io.ustack.core.socket.Sockets;
import io.ustack.core.tcp.TcpSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes a script's system calls on the stack's socket layer, as packetdrill's run_system_call.c makes them on
 * the kernel: arguments read from the script's expressions (constants by their C names, {@code ...} for the
 * addresses packetdrill fills in: bind(2) to the local address and port 8080, connect(2) to the remote one),
 * buffers of zero bytes for writes, and the checks some calls make after returning (getsockopt's value,
 * poll's revents, recvmsg's control messages).
 */
final class Syscalls {
    /** What a call came to: its return value, the errno of a failure, and a failed after-check or null. */
    record Outcome(long result, Errno errno, String afterCheck) {
        static Outcome ok(long result) {
            return new Outcome(result, null, null);
        }
    }

    /** A call or argument this runner does not make; the script is reported unsupported, not failed. */
    static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    /** A call whose arguments packetdrill itself would refuse. */
    static final class BadCall extends Exception {
        BadCall(String message) {
            super(message, null, false, false);
        }
    }

    /** What the runner hears about calls that make or name connections. */
    interface Listener {
        void listening(int liveFd);

        void connecting(int liveFd);

        void accepted(int liveFd);
    }

    private final Sockets sockets;
    private final RunConfig config;
    private final Listener listener;
    /** Script fd to live fd, for the descriptors that differ. */
    private final Map<Long, Integer> fds = new HashMap<>();

    Syscalls(Sockets sockets, RunConfig config, Listener listener) {
        this.sockets = sockets;
        this.config = config;
        this.listener = listener;
    }

    /** The live fd the script's {@code fd} stands for. */
    int live(long scriptFd) {
        return fds.getOrDefault(scriptFd, (int) scriptFd);
    }

    /** A call returned a new descriptor that the script calls {@code scriptFd}. */
    void mapFd(long scriptFd, int liveFd) {
        fds.put(scriptFd, liveFd);
    }

    /** Makes {@code call}; a failure with errno is an outcome, not an exception. */
    Outcome run(Action.Syscall call) throws Unsupported, BadCall {
        try {
            return dispatch(call.name(), call.args());
        } catch (ErrnoException e) {
            return new Outcome(-1, e.errno(), null);
        }
    }

    private Outcome dispatch(String name, List<Expr> a) throws ErrnoException, Unsupported, BadCall {
        switch (name) {
            case "socket": {
                args(a, 3);
                if (!(a.get(0) instanceof Expr.Ellipsis)) {
                    throw new BadCall("socket(2)'s first argument must be ... (the domain follows --ip_version)");
                }
                return Outcome.ok(sockets.socket(Abi.AF_INET, (int) integer(a.get(1)), (int) integer(a.get(2))));
            }
            case "bind": {
                args(a, 3);
                sockets.bind(fd(a.get(0)), config.localIp(), config.bindPort());
                return Outcome.ok(0);
            }
            case "listen": {
                args(a, 2);
                int fd = fd(a.get(0));
                sockets.listen(fd, (int) integer(a.get(1)));
                listener.listening(fd);
                return Outcome.ok(0);
            }
            case "accept":
            case "accept4": {
                int fd = fd(a.get(0));
                int flags = name.equals("accept4") && a.size() > 3 ? (int) integer(a.get(3)) : 0;
                int child = sockets.accept(fd, flags);
                listener.accepted(child);
                return Outcome.ok(child);
            }
            case "connect": {
                args(a, 3);
                int fd = fd(a.get(0));
                listener.connecting(fd);
                sockets.connect(fd, config.remoteIp(), config.connectPort());
                return Outcome.ok(0);
            }
            case "write":
            case "send": {
                int fd = fd(a.get(0));
                int len = (int) integer(a.get(2));
                int flags = name.equals("send") ? (int) integer(a.get(3)) : 0;
                return Outcome.ok(sockets.send(fd, new byte[len], 0, len, flags));
            }
            case "sendto": {
                int fd = fd(a.get(0));
                int len = (int) integer(a.get(2));
                return Outcome.ok(sockets.sendTo(fd, new byte[len], 0, len, (int) integer(a.get(3)), config.remoteIp(),
                        config.connectPort()));
            }
            case "writev": {
                int len = iovecLength(a.get(1));
                return Outcome.ok(sockets.write(fd(a.get(0)), new byte[len], 0, len));
            }
            case "read":
            case "recv":
            case "recvfrom": {
                int fd = fd(a.get(0));
                int len = (int) integer(a.get(2));
                int flags = name.equals("read") ? 0 : (int) integer(a.get(3));
                return Outcome.ok(sockets.recv(fd, new byte[len], 0, len, flags));
            }
            case "readv": {
                int len = iovecLength(a.get(1));
                return Outcome.ok(sockets.read(fd(a.get(0)), new byte[len], 0, len));
            }
            case "recvmsg":
                return recvmsg(a);
            case "close": {
                args(a, 1);
                sockets.close(fd(a.get(0)));
                return Outcome.ok(0);
            }
            case "shutdown": {
                args(a, 2);
                sockets.shutdown(fd(a.get(0)), (int) integer(a.get(1)));
                return Outcome.ok(0);
            }
            case "setsockopt":
                return setsockopt(a);
            case "getsockopt":
                return getsockopt(a);
            case "fcntl": {
                int fd = fd(a.get(0));
                int cmd = (int) integer(a.get(1));
                return Outcome.ok(sockets.fcntl(fd, cmd, a.size() > 2 ? (int) integer(a.get(2)) : 0));
            }
            case "ioctl":
                return ioctl(a);
            case "poll":
                return poll(a);
            case "epoll_create":
            case "epoll_create1":
                return Outcome.ok(sockets.epollCreate());
            case "epoll_ctl":
                return epollCtl(a);
            case "epoll_wait":
                return epollWait(a);
            default:
                throw new Unsupported("Unknown system call: '" + name + "'");
        }
    }

    private Outcome setsockopt(List<Expr> a) throws ErrnoException, Unsupported, BadCall {
        int fd = fd(a.get(0));
        int level = (int) integer(a.get(1));
        int opt = (int) integer(a.get(2));
        Expr value = a.get(3);
        if (value instanceof Expr.Str s) {
            sockets.setsockopt(fd, level, opt, s.value());
        } else if (value instanceof Expr.Braces b && b.field("onoff") != null) {
            sockets.setLinger(fd, integer(b.field("onoff")) != 0, (int) integer(b.field("linger")));
        } else {
            sockets.setsockopt(fd, level, opt, (int) pointed(value));
        }
        return Outcome.ok(0);
    }

    private Outcome getsockopt(List<Expr> a) throws ErrnoException, Unsupported, BadCall {
        int fd = fd(a.get(0));
        int level = (int) integer(a.get(1));
        int opt = (int) integer(a.get(2));
        Expr value = a.get(3);
        if (value instanceof Expr.Str s) {
            String got = sockets.congestion(fd);
            return new Outcome(0, null, got.equals(s.value()) || (s.prefix() && got.startsWith(s.value())) ? null
                    : "Bad getsockopt optval: expected: '" + s.value() + "' actual: '" + got + "'");
        }
        int got = sockets.getsockopt(fd, level, opt);
        if (value instanceof Expr.Ellipsis) {
            return Outcome.ok(0);
        }
        long want = pointed(value);
        return new Outcome(0, null, want == got ? null : "Bad getsockopt optval: expected: " + want + " actual: " + got);
    }

    private Outcome ioctl(List<Expr> a) throws ErrnoException, Unsupported, BadCall {
        int fd = fd(a.get(0));
        int request = (int) integer(a.get(1));
        int got = sockets.ioctl(fd, request);
        if (a.size() < 3 || a.get(2) instanceof Expr.Ellipsis) {
            return Outcome.ok(0);
        }
        long want = pointed(a.get(2));
        return new Outcome(0, null, want == got ? null : "Bad ioctl value: expected: " + want + " actual: " + got);
    }

    /**
     * recvmsg(2) with one or more iovecs; TCP_CM_INQ (TCP_INQ's control message) carries what is left to read
     * once this read is done, the FIN counting one (tcp_inq_hint).
     */
    private Outcome recvmsg(List<Expr> a) throws ErrnoException, Unsupported, BadCall {
        int fd = fd(a.get(0));
        if (!(a.get(1) instanceof Expr.Braces msg)) {
            throw new BadCall("recvmsg needs a msghdr");
        }
        int len = iovecLength(msg.field("msg_iov"));
        int flags = (int) integer(a.get(2));
        int n = sockets.recv(fd, new byte[len], 0, len, flags);
        Expr control = msg.field("msg_control");
        if (control instanceof Expr.Array cmsgs) {
            for (Expr c : cmsgs.items()) {
                if (!(c instanceof Expr.Braces cm)) {
                    throw new BadCall("a control message is a {cmsg_level=..., cmsg_type=..., cmsg_data=...}");
                }
                if (integer(cm.field("cmsg_level")) != Abi.SOL_TCP || integer(cm.field("cmsg_type")) != Abi.TCP_INQ) {
                    throw new Unsupported("control message other than TCP_CM_INQ");
                }
                long want = integer(cm.field("cmsg_data"));
                long inq = sockets.ioctl(fd, Abi.SIOCINQ) + (peerFinished(fd) ? 1 : 0);
                if (inq != want) {
                    return new Outcome(n, null, "Bad cmsg_data for TCP_CM_INQ: expected: " + want + " actual: " + inq);
                }
            }
        }
        return Outcome.ok(n);
    }

    private boolean peerFinished(int fd) throws ErrnoException {
        TcpSocket.TcpInfo info = sockets.tcpInfo(fd);
        return info != null && switch (info.state()) {
            case CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT, CLOSED -> true;
            default -> false;
        };
    }

    private Outcome poll(List<Expr> a) throws ErrnoException, Unsupported, BadCall {
        if (!(a.get(0) instanceof Expr.Array arr)) {
            throw new BadCall("poll needs an array of pollfd");
        }
        List<Sockets.PollFd> fds = new ArrayList<>();
        List<Long> want = new ArrayList<>();
        for (Expr e : arr.items()) {
            if (!(e instanceof Expr.Braces b)) {
                throw new BadCall("a pollfd is {fd=..., events=..., revents=...}");
            }
            fds.add(new Sockets.PollFd(fd(b.field("fd")), (int) integer(b.field("events"))));
            want.add(b.field("revents") == null ? 0 : integer(b.field("revents")));
        }
        if (integer(a.get(1)) != fds.size()) {
            throw new BadCall("poll's nfds must be the length of its array");
        }
        int n = sockets.poll(fds.toArray(new Sockets.PollFd[0]), integer(a.get(2)));
        for (int i = 0; i < fds.size(); i++) {
            if (fds.get(i).revents != want.get(i)) {
                return new Outcome(n, null, "Expected revents of " + pollText(want.get(i)) + " but got "
                        + pollText(fds.get(i).revents) + " for pollfd " + i);
            }
        }
        return Outcome.ok(n);
    }

    private Outcome epollCtl(List<Expr> a) throws ErrnoException, Unsupported, BadCall {
        int ep = fd(a.get(0));
        int op = (int) integer(a.get(1));
        int fd = fd(a.get(2));
        int events = 0;
        long data = 0;
        if (a.size() > 3 && a.get(3) instanceof Expr.Braces b) {
            events = (int) integer(b.field("events"));
            data = epollData(b);
        }
        sockets.epollCtl(ep, op, fd, events, data);
        return Outcome.ok(0);
    }

    private Outcome epollWait(List<Expr> a) throws ErrnoException, Unsupported, BadCall {
        int ep = fd(a.get(0));
        List<Sockets.EpollEvent> got = sockets.epollWait(ep, (int) integer(a.get(2)), integer(a.get(3)));
        if (a.get(1) instanceof Expr.Braces b && !got.isEmpty()) {
            long wantEvents = integer(b.field("events"));
            long wantData = epollData(b);
            Sockets.EpollEvent first = got.get(0);
            if (first.events() != wantEvents || first.data() != wantData) {
                return new Outcome(got.size(), null, "Expected epoll event " + pollText(wantEvents) + " for " + wantData
                        + " but got " + pollText(first.events()) + " for " + first.data());
            }
        }
        return Outcome.ok(got.size());
    }

    private long epollData(Expr.Braces b) throws Unsupported, BadCall {
        for (String f : new String[] {"fd", "ptr", "u32", "u64"}) {
            if (b.field(f) != null) {
                return integer(b.field(f));
            }
        }
        return 0;
    }

    private static String pollText(long bits) {
        if (bits == 0) {
            return "0";
        }
        StringBuilder b = new StringBuilder();
        String[] names = {"POLLIN", "POLLPRI", "POLLOUT", "POLLERR", "POLLHUP", "POLLNVAL"};
        for (int i = 0; i < names.length; i++) {
            if ((bits & (1L << i)) != 0) {
                b.append(b.length() > 0 ? "|" : "").append(names[i]);
            }
        }
        long rest = bits & ~0x3fL;
        if (rest != 0) {
            b.append(b.length() > 0 ? "|" : "").append(String.format("0x%x", rest));
        }
        return b.toString();
    }

    // ---- arguments ----

    private static void args(List<Expr> a, int n) throws BadCall {
        if (a.size() != n) {
            throw new BadCall("Expected " + n + " args but got " + a.size());
        }
    }

    private int fd(Expr e) throws Unsupported, BadCall {
        return live(integer(e));
    }

    /** An integer, a constant by its C name, or constants or'ed together. */
    static long integer(Expr e) throws Unsupported, BadCall {
        if (e instanceof Expr.Int i) {
            return i.value();
        }
        if (e instanceof Expr.Word w) {
            Long v = Symbols.value(w.name());
            if (v == null) {
                throw new Unsupported("unknown symbol: '" + w.name() + "'");
            }
            return v;
        }
        if (e instanceof Expr.Or o) {
            return integer(o.lhs()) | integer(o.rhs());
        }
        throw new BadCall(e == null ? "missing argument" : "Bad type; expected an integer");
    }

    /** {@code [v]}: an int passed by pointer (optval, ioctl's argument). */
    private static long pointed(Expr e) throws Unsupported, BadCall {
        if (e instanceof Expr.Array arr && arr.items().size() == 1) {
            return integer(arr.items().get(0));
        }
        return integer(e);
    }

    /** The bytes an iovec array {@code [{..., N}, ...]} covers. */
    private static int iovecLength(Expr e) throws Unsupported, BadCall {
        if (!(e instanceof Expr.Array arr)) {
            throw new BadCall("an iovec array is [{..., LEN}, ...]");
        }
        int len = 0;
        for (Expr item : arr.items()) {
            if (!(item instanceof Expr.Braces b) || b.items().size() != 2) {
                throw new BadCall("an iovec is {..., LEN}");
            }
            len += (int) integer(b.items().get(1));
        }
        return len;
    }
}
