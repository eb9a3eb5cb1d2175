package io.ustack.core.tcp;

/** The TCP header's control bits, as the kernel's TCPHDR_* names them. */
public final class TcpFlags {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;

    private TcpFlags() {
    }

    /** tcpdump's spelling: [S.], [P.], [F.], [R]... */
    public static String format(int flags) {
        StringBuilder sb = new StringBuilder("[");
        if ((flags & SYN) != 0) {
            sb.append('S');
        }
        if ((flags & FIN) != 0) {
            sb.append('F');
        }
        if ((flags & RST) != 0) {
            sb.append('R');
        }
        if ((flags & PSH) != 0) {
            sb.append('P');
        }
        if ((flags & ACK) != 0) {
            sb.append('.');
        }
        return sb.append(']').toString();
    }
}
