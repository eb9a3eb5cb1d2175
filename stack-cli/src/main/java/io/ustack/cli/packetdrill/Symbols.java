package io.ustack.cli.packetdrill;

import io.ustack.core.socket.Abi;
import io.ustack.core.socket.Errno;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * The names a script may use for numbers (symbols_linux.c's table): every constant of the socket layer's
 * {@link Abi} under its C name, the errno values, and the few aliases the C headers add.
 */
final class Symbols {
    private static final Map<String, Long> VALUES = build();

    private Symbols() {
    }

    private static Map<String, Long> build() {
        Map<String, Long> m = new HashMap<>();
        for (Field f : Abi.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                try {
                    m.put(f.getName(), (long) f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        for (Errno e : Errno.values()) {
            m.put(e.name(), (long) e.number()); // getsockopt(..., SO_ERROR, [ECONNREFUSED], [4])
        }
        m.put("TCP_CM_INQ", (long) Abi.TCP_INQ);
        m.put("SOL_IPV6", 41L);
        m.put("IPPROTO_IPV6", 41L);
        m.put("AF_INET6", 10L);
        m.put("AF_UNSPEC", 0L);
        m.put("INADDR_ANY", 0L);
        m.put("FIONREAD", (long) Abi.SIOCINQ);
        m.put("TIOCOUTQ", (long) Abi.SIOCOUTQ);
        m.put("O_RDONLY", 0L);
        m.put("O_WRONLY", 1L);
        m.put("EPOLLIN", (long) Abi.POLLIN);
        m.put("EPOLLOUT", (long) Abi.POLLOUT);
        m.put("EPOLLERR", (long) Abi.POLLERR);
        m.put("EPOLLHUP", (long) Abi.POLLHUP);
        m.put("EPOLLRDHUP", (long) Abi.POLLRDHUP);
        m.put("EPOLLRDNORM", (long) Abi.POLLRDNORM);
        m.put("EPOLLWRNORM", (long) Abi.POLLWRNORM);
        m.put("EPOLLPRI", (long) Abi.POLLPRI);
        return Map.copyOf(m);
    }

    /** The value of {@code name}, or null when the runner does not know it. */
    static Long value(String name) {
        return VALUES.get(name);
    }
}
