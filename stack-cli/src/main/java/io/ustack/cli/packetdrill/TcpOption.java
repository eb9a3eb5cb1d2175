package io.ustack.cli.packetdrill;

import java.util.List;

/**
 * One TCP option inside {@code <...>}, parser.y's {@code tcp_option}: {@code nop}, {@code eol},
 * {@code mss N}, {@code wscale N}, {@code sackOK}, {@code sack L:R L:R...}, {@code TS val N ecr N},
 * {@code md5 HEX}, {@code FO [COOKIE]} and {@code FOEXP [COOKIE]}.
 */
sealed interface TcpOption {
    /** TCPOPT_NOP. */
    record Nop() implements TcpOption {
    }

    /** TCPOPT_EOL. */
    record Eol() implements TcpOption {
    }

    /** TCPOPT_MAXSEG. */
    record Mss(int mss) implements TcpOption {
    }

    /** TCPOPT_WINDOW: the shift count. */
    record WindowScale(int shift) implements TcpOption {
    }

    /** TCPOPT_SACK_PERMITTED. */
    record SackPermitted() implements TcpOption {
    }

    /** TCPOPT_SACK with its blocks in order. */
    record Sack(List<Block> blocks) implements TcpOption {
        public Sack {
            blocks = List.copyOf(blocks);
        }

        /** One {@code left:right} block. */
        record Block(long left, long right) {
        }
    }

    /** TCPOPT_TIMESTAMP. */
    record Timestamp(long val, long ecr) implements TcpOption {
    }

    /** TCPOPT_MD5SIG: the digest as hex digits (at most 16 bytes; fewer allowed, as packetdrill). */
    record Md5(String hex) implements TcpOption {
    }

    /**
     * TCPOPT_FASTOPEN ({@code FO}) or the experimental one ({@code FOEXP}, kind 254 with magic 0xF989).
     *
     * @param cookie hex digits, empty for a cookie request
     */
    record FastOpen(String cookie, boolean experimental) implements TcpOption {
    }
}
