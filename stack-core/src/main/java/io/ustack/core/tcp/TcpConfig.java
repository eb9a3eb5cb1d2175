package io.ustack.core.tcp;

/**
 * Per-connection settings, defaulting to Linux's sysctls and socket defaults.
 *
 * @param mss           the MSS this host announces (route MTU - 40)
 * @param rcvBuf        receive buffer bytes at the start (tcp_rmem[1]; the window offered is at most the buffer)
 * @param rcvBufMax     what receive buffer autotuning may grow it to (tcp_rmem[2]); no more than rcvBuf turns
 *                      autotuning off, as setting SO_RCVBUF does
 * @param sndBuf        send buffer bytes
 * @param windowScale   RFC 7323 window scaling offered (tcp_window_scaling)
 * @param timestamps    RFC 7323 timestamps offered (tcp_timestamps)
 * @param sack          RFC 2018 SACK offered (tcp_sack)
 * @param noDelay       TCP_NODELAY: Nagle off
 * @param synRetries    tcp_syn_retries
 * @param synAckRetries tcp_synack_retries
 * @param retries2      tcp_retries2: retransmissions of data before giving up
 * @param timeWaitMs    TCP_TIMEWAIT_LEN
 * @param delAckMs      TCP_DELACK_MIN
 * @param congestion    tcp_congestion_control: "cubic" (the default) or "reno"
 * @param gsoMaxSize    sk_gso_max_size: the largest super-segment the route's device takes whole (GSO or
 *                      TSO), 0 when every segment must be built on its own
 * @param rmemMin       tcp_rmem[0], kept so that the sysctl reads back as written
 * @param wmemMin       tcp_wmem[0], likewise
 * @param wmemMax       tcp_wmem[2], likewise
 * @param minTsoSegs    tcp_min_tso_segs: the fewest segments a super-segment is sized for (tcp_tso_autosize), 2
 * @param slowStartAfterIdle tcp_slow_start_after_idle: a connection idle for an RTO starts again from the
 *                      restart window (tcp_cwnd_restart, RFC 2861); on by default
 * @param pacingSsRatio tcp_pacing_ss_ratio: the pacing rate in slow start, in percent of cwnd per SRTT (200);
 *                      it sizes super-segments (tcp_tso_autosize) and, over a pacing qdisc, spaces data
 * @param pacingCaRatio tcp_pacing_ca_ratio: the same in congestion avoidance (120)
 * @param ecn           tcp_ecn: 0 never ECN, 1 ask for it on our connects and accept it, 2 (the default) accept
 *                      it when the peer asks (RFC 3168 negotiation, tcp_ecn_send_syn, tcp_ecn_create_request)
 * @param ecnFallback   tcp_ecn_fallback: a retransmitted SYN goes without ECE and CWR (tcp_ecn_clear_syn); on by
 *                      default
 * @param fqPacing      the route's device holds each packet until its departure time, as sch_fq does, so the
 *                      connection paces its data at the pacing rate (SK_PACING_FQ, {@link Pacer}); off with
 *                      the default qdiscs
 */
public record TcpConfig(int mss, int rcvBuf, int rcvBufMax, int sndBuf, boolean windowScale, boolean timestamps, boolean sack,
                        boolean noDelay, int synRetries, int synAckRetries, int retries2, long timeWaitMs,
                        long delAckMs, String congestion, int gsoMaxSize, int rmemMin, int wmemMin, int wmemMax,
                        int minTsoSegs, boolean slowStartAfterIdle, int pacingSsRatio, int pacingCaRatio, int ecn,
                        boolean ecnFallback, boolean fqPacing) {
    /** GSO_LEGACY_MAX_SIZE: the most a super-packet may hold, IP header included. */
    public static final int GSO_MAX_SIZE = 65536;

    /**
     * Linux 6.18's defaults for an Ethernet route (MTU 1500): tcp_rmem 4096 131072 33554432 (so wscale 10).
     * The send buffer is 256 KiB from the start where Linux's starts at tcp_wmem[1] (16 KiB) and grows with
     * cwnd (tcp_sndbuf_expand), which this stack does not do: a deliberate difference, or bulk sending would
     * crawl.
     */
    public static TcpConfig defaults() {
        return new TcpConfig(1460, 131_072, 33_554_432, 262_144, true, true, true, false, 6, 5, 15, 60_000, 40, "cubic", 0,
                4096, 4096, 4_194_304,
                2, true, 200, 120, 2, true, false);
    }

    public TcpConfig withMss(int m) {
        return new TcpConfig(m, rcvBuf, rcvBufMax, sndBuf, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, gsoMaxSize, rmemMin, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    /** SO_RCVBUF and SO_SNDBUF: buffers of fixed sizes, receive autotuning off (SOCK_RCVBUF_LOCK). */
    public TcpConfig withBuffers(int rcv, int snd) {
        return new TcpConfig(mss, rcv, rcv, snd, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, gsoMaxSize, rmemMin, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    public TcpConfig withOptions(boolean ws, boolean ts, boolean sk) {
        return new TcpConfig(mss, rcvBuf, rcvBufMax, sndBuf, ws, ts, sk, noDelay, synRetries, synAckRetries, retries2,
                timeWaitMs, delAckMs, congestion, gsoMaxSize, rmemMin, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    public TcpConfig withCongestion(String name) {
        CongestionControl.named(name); // refuse an unknown name here, not at the first connection
        return new TcpConfig(mss, rcvBuf, rcvBufMax, sndBuf, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, name, gsoMaxSize, rmemMin, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    /** tcp_syn_retries, tcp_synack_retries and tcp_retries2. */
    public TcpConfig withRetries(int syn, int synAck, int data) {
        return new TcpConfig(mss, rcvBuf, rcvBufMax, sndBuf, windowScale, timestamps, sack, noDelay, syn, synAck, data, timeWaitMs,
                delAckMs, congestion, gsoMaxSize, rmemMin, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    /** sk_setup_caps: the route's device takes super-segments of up to {@code size} bytes (0: none). */
    public TcpConfig withGsoMaxSize(int size) {
        return new TcpConfig(mss, rcvBuf, rcvBufMax, sndBuf, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, size, rmemMin, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    /** net.ipv4.tcp_rmem: min, default (the buffer a connection starts with) and max (what autotuning may reach). */
    public TcpConfig withRmem(int min, int def, int max) {
        return new TcpConfig(mss, def, max, sndBuf, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, gsoMaxSize, min, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    /** net.ipv4.tcp_wmem: min, default (the send buffer a connection gets) and max. */
    public TcpConfig withWmem(int min, int def, int max) {
        return new TcpConfig(mss, rcvBuf, rcvBufMax, def, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, gsoMaxSize, rmemMin, min, max, minTsoSegs, slowStartAfterIdle, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    /** net.ipv4.tcp_min_tso_segs. */
    public TcpConfig withMinTsoSegs(int segs) {
        return new TcpConfig(mss, rcvBuf, rcvBufMax, sndBuf, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, gsoMaxSize, rmemMin, wmemMin, wmemMax, segs, slowStartAfterIdle, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    /** net.ipv4.tcp_slow_start_after_idle. */
    public TcpConfig withSlowStartAfterIdle(boolean on) {
        return new TcpConfig(mss, rcvBuf, rcvBufMax, sndBuf, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, gsoMaxSize, rmemMin, wmemMin, wmemMax, minTsoSegs, on, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    /** net.ipv4.tcp_pacing_ss_ratio and net.ipv4.tcp_pacing_ca_ratio, in percent. */
    public TcpConfig withPacingRatios(int ss, int ca) {
        return new TcpConfig(mss, rcvBuf, rcvBufMax, sndBuf, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, gsoMaxSize, rmemMin, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle,
                ss, ca, ecn, ecnFallback, fqPacing);
    }

    public TcpConfig withNoDelay(boolean nd) {
        return new TcpConfig(mss, rcvBuf, rcvBufMax, sndBuf, windowScale, timestamps, sack, nd, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, gsoMaxSize, rmemMin, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle, pacingSsRatio, pacingCaRatio, ecn, ecnFallback, fqPacing);
    }

    /** net.ipv4.tcp_ecn and net.ipv4.tcp_ecn_fallback. */
    public TcpConfig withEcn(int mode, boolean fallback) {
        return new TcpConfig(mss, rcvBuf, rcvBufMax, sndBuf, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, gsoMaxSize, rmemMin, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle,
                pacingSsRatio, pacingCaRatio, mode, fallback, fqPacing);
    }

    /** Whether the route's device paces packets to their departure times (SK_PACING_FQ). */
    public TcpConfig withFqPacing(boolean on) {
        return new TcpConfig(mss, rcvBuf, rcvBufMax, sndBuf, windowScale, timestamps, sack, noDelay, synRetries, synAckRetries,
                retries2, timeWaitMs, delAckMs, congestion, gsoMaxSize, rmemMin, wmemMin, wmemMax, minTsoSegs, slowStartAfterIdle,
                pacingSsRatio, pacingCaRatio, ecn, ecnFallback, on);
    }
}
