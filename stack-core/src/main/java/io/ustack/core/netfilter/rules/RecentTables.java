package io.ustack.core.netfilter.rules;

import java.util.concurrent.ConcurrentHashMap;

/**
 * xt_recent's tables, by --name, shared by every rule that names one (one rule --set's what another
 * --rcheck's): per table up to {@value #ENTRIES} addresses (ip_list_tot), each with the times of its last
 * {@value #STAMPS} packets (ip_pkt_list_tot). When a table is full, the address seen longest ago gives way.
 * Arrays throughout, searched linearly, so a lookup allocates nothing.
 */
final class RecentTables {
    static final int ENTRIES = 100;
    static final int STAMPS = 20;

    /** One table. Guarded by itself. */
    static final class Table {
        private final int[] addrs = new int[ENTRIES];
        private final long[] stamps = new long[ENTRIES * STAMPS];
        private final int[] stampCount = new int[ENTRIES];
        /** Where the next stamp of an entry goes in its ring. */
        private final int[] nextStamp = new int[ENTRIES];
        private final long[] lastSeen = new long[ENTRIES];
        private int count;

        /** The entry of {@code addr}, or -1. */
        int find(int addr) {
            for (int i = 0; i < count; i++) {
                if (addrs[i] == addr) {
                    return i;
                }
            }
            return -1;
        }

        /** recent_entry_update (a new entry first, if need be, in the place of the stalest): one more stamp. */
        void update(int addr, int entry, long now) {
            int i = entry;
            if (i < 0) {
                if (count < ENTRIES) {
                    i = count++;
                } else {
                    i = 0;
                    for (int j = 1; j < count; j++) {
                        if (lastSeen[j] < lastSeen[i]) {
                            i = j;
                        }
                    }
                }
                addrs[i] = addr;
                stampCount[i] = 0;
                nextStamp[i] = 0;
            }
            stamps[i * STAMPS + nextStamp[i]] = now;
            nextStamp[i] = (nextStamp[i] + 1) % STAMPS;
            stampCount[i] = Math.min(STAMPS, stampCount[i] + 1);
            lastSeen[i] = now;
        }

        /** How many of the entry's stamps are no older than {@code window} (all of them for a window below 0). */
        int hits(int entry, long now, long window) {
            int n = 0;
            for (int k = 0; k < stampCount[entry]; k++) {
                if (window < 0 || now - stamps[entry * STAMPS + k] <= window) {
                    n++;
                }
            }
            return n;
        }

        /** recent_entry_remove: the last entry takes the removed one's place. */
        void remove(int entry) {
            int last = --count;
            addrs[entry] = addrs[last];
            System.arraycopy(stamps, last * STAMPS, stamps, entry * STAMPS, STAMPS);
            stampCount[entry] = stampCount[last];
            nextStamp[entry] = nextStamp[last];
            lastSeen[entry] = lastSeen[last];
        }

        /** --reap: forgets the entries not seen within {@code window}. */
        void reap(long now, long window) {
            for (int i = count - 1; i >= 0; i--) {
                if (now - lastSeen[i] > window) {
                    remove(i);
                }
            }
        }
    }

    private final ConcurrentHashMap<String, Table> tables = new ConcurrentHashMap<>();

    /** The table called {@code name}, made on first use (recent_mt_check creating it). */
    Table table(String name) {
        return tables.computeIfAbsent(name, n -> new Table());
    }
}
