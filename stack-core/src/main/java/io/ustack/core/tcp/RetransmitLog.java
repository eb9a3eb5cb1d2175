package io.ustack.core.tcp;

/**
 * The retransmissions of the current loss recovery, for noticing when one of them is lost too, as Linux's
 * tcp_mark_lost_retrans did before RACK (RFC 8985 has the same idea by time): a retransmission is lost
 * once the peer SACKs data first sent after it while it is still missing. Without this only the
 * retransmission timer finds it, hundreds of milliseconds later. Bounded: past {@link #MAX} records the
 * oldest is forgotten and left to the timer. The arrays are made at the first recovery. Sequence numbers
 * compare modulo 2^32. Not thread-safe: it lives on its connection's thread.
 */
final class RetransmitLog {
    static final int MAX = 16;

    private int[] starts;
    private int[] ends;
    /** snd_max when each was sent: SACKed data beyond it was sent later. */
    private int[] sentBefore;
    private int count;

    void clear() {
        count = 0;
    }

    /** Records a retransmission of [start, end), sent while snd_max was {@code sndMax}. */
    void add(int start, int end, int sndMax) {
        if (starts == null) {
            starts = new int[MAX];
            ends = new int[MAX];
            sentBefore = new int[MAX];
        }
        if (count == MAX) {
            remove(0);
        }
        starts[count] = start;
        ends[count] = end;
        sentBefore[count] = sndMax;
        count++;
    }

    /**
     * Forgets what the peer now holds (below {@code una} or SACKed), then returns the index of a record
     * that is lost again, -1 if none: the peer has SACKed past what was sent before it.
     */
    int findLost(SackScoreboard sb, int una, int highestSacked) {
        for (int i = 0; i < count; i++) {
            int from = SeqNum.after(starts[i], una) ? starts[i] : una;
            if (!SeqNum.before(from, ends[i]) || sb.sackedBetween(from, ends[i]) == ends[i] - from) {
                remove(i--);
            } else if (SeqNum.after(highestSacked, sentBefore[i])) {
                return i;
            }
        }
        return -1;
    }

    int start(int i) {
        return starts[i];
    }

    int end(int i) {
        return ends[i];
    }

    /** Record {@code i} went out again while snd_max was {@code sndMax}. */
    void resent(int i, int sndMax) {
        sentBefore[i] = sndMax;
    }

    private void remove(int i) {
        System.arraycopy(starts, i + 1, starts, i, count - i - 1);
        System.arraycopy(ends, i + 1, ends, i, count - i - 1);
        System.arraycopy(sentBefore, i + 1, sentBefore, i, count - i - 1);
        count--;
    }
}
