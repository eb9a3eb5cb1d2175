package io.ustack.core.tcp;

import io.ustack.core.time.Clock;
import io.ustack.core.wire.Ipv6Address;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Initial sequence numbers by RFC 6528 (secure_tcp_seq): ISN = M + F(local, remote, secret), where M is a
 * clock ticking every 4 microseconds and F a keyed hash of the connection's addresses and ports (HMAC-SHA256
 * here, where Linux uses SipHash), so ISNs neither repeat for a new incarnation of a connection nor can be
 * guessed from outside. The same hash with another label gives the per-connection timestamp offset
 * (secure_tcp_ts_off).
 */
public final class IsnGenerator {
    private final Clock clock;
    private final ThreadLocal<Mac> macs;

    /** {@code secrets} gives the key: a SecureRandom, but for tests that want the same ISNs every run. */
    public IsnGenerator(Clock clock, RandomGenerator secrets) {
        this.clock = clock;
        byte[] secret = new byte[32];
        secrets.nextBytes(secret);
        SecretKeySpec key = new SecretKeySpec(secret, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(key);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        });
    }

    /** The ISN for a connection from {@code laddr}:{@code lport} to {@code raddr}:{@code rport}. */
    public int isn(int laddr, int lport, int raddr, int rport) {
        return hash(1, laddr, lport, raddr, rport) + (int) (clock.nanos() / 4_000);
    }

    /** The offset this connection adds to its timestamp clock, so TSvals do not reveal uptime. */
    public int tsOffset(int laddr, int raddr) {
        return hash(2, laddr, 0, raddr, 0);
    }

    /** cookie_hash: the keyed hash SYN cookies are made of, for minute {@code count} and use {@code c}. */
    public int cookieHash(int laddr, int lport, int raddr, int rport, int count, int c) {
        return hash(3 + 2 * count + c, laddr, lport, raddr, rport);
    }

    /** secure_tcpv6_seq: {@link #isn} for a connection over IPv6, keyed by the whole addresses. */
    public int isn(Ipv6Address laddr, int lport, Ipv6Address raddr, int rport) {
        return hash6(1, laddr, lport, raddr, rport) + (int) (clock.nanos() / 4_000);
    }

    /** secure_tcpv6_ts_off: {@link #tsOffset} over IPv6. */
    public int tsOffset(Ipv6Address laddr, Ipv6Address raddr) {
        return hash6(2, laddr, 0, raddr, 0);
    }

    /** cookie_v6_hash: {@link #cookieHash} over the whole IPv6 addresses. */
    public int cookieHash6(Ipv6Address laddr, int lport, Ipv6Address raddr, int rport, int count, int c) {
        return hash6(3 + 2 * count + c, laddr, lport, raddr, rport);
    }

    private int hash6(int label, Ipv6Address laddr, int lport, Ipv6Address raddr, int rport) {
        Mac m = macs.get();
        byte[] in = ByteBuffer.allocate(40).putInt(label).putLong(laddr.hi()).putLong(laddr.lo()).putLong(raddr.hi())
                .putLong(raddr.lo()).putShort((short) lport).putShort((short) rport).array();
        return ByteBuffer.wrap(m.doFinal(in)).getInt();
    }

    private int hash(int label, int laddr, int lport, int raddr, int rport) {
        Mac m = macs.get();
        byte[] in = ByteBuffer.allocate(16).putInt(label).putInt(laddr).putInt(raddr).putShort((short) lport)
                .putShort((short) rport).array();
        return ByteBuffer.wrap(m.doFinal(in)).getInt();
    }
}
