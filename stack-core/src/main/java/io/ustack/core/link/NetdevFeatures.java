package io.ustack.core.link;

import java.util.ArrayList;
import java.util.List;

/**
 * netdev_features_t: what a device does for the stack, as bits, with the names {@code ethtool -k} shows and
 * {@code ethtool -K} takes. A device has the features its driver can offer ({@link NetDevice#hwFeatures()})
 * and, of those, the ones switched on ({@link NetDevice#features()}).
 */
public final class NetdevFeatures {
    /** NETIF_F_HW_CSUM: the device finishes partial checksums (CHECKSUM_PARTIAL) on transmit. */
    public static final int HW_CSUM = 1;
    /** NETIF_F_RXCSUM: the device says which received checksums are good or need no check. */
    public static final int RXCSUM = 1 << 1;
    /** NETIF_F_TSO: the device takes TCP/IPv4 super-packets and cuts them itself. */
    public static final int TSO = 1 << 2;
    /**
     * NETIF_F_TSO6: the device takes TCP/IPv6 super-packets and cuts them itself (a TAP whose host took
     * TUN_F_TSO6).
     */
    public static final int TSO6 = 1 << 7;
    /** NETIF_F_GSO_UDP_L4: the device takes UDP super-packets (USO) and cuts them itself. */
    public static final int GSO_UDP_L4 = 1 << 3;
    /** NETIF_F_GSO: super-packets travel the stack whole and are cut in software just before a device that cannot take them. */
    public static final int GSO = 1 << 4;
    /**
     * NETIF_F_GRO_HW: the device hands over super-packets it merged itself; for a TAP, the host kernel sends
     * its GSO packets whole (TUN_F_TSO4, TUN_F_TSO6). Needs GRO and RXCSUM, as netdev_fix_features has it.
     */
    public static final int GRO_HW = 1 << 6;
    /** NETIF_F_GRO: the receive path merges a flow's consecutive segments into super-packets (napi_gro_receive). */
    public static final int GRO = 1 << 5;

    /** One feature: its bit, the name ethtool -k prints and the short name ethtool -K takes. */
    public record Feature(int bit, String ethtoolName, String shortName) {
    }

    /** Every feature, in ethtool -k's order. */
    public static final List<Feature> ALL = List.of(
            new Feature(RXCSUM, "rx-checksumming", "rx"),
            new Feature(HW_CSUM, "tx-checksumming", "tx"),
            new Feature(TSO, "tcp-segmentation-offload", "tso"),
            new Feature(TSO6, "tx-tcp6-segmentation", "tx-tcp6-segmentation"),
            new Feature(GSO_UDP_L4, "tx-udp-segmentation", "tx-udp-segmentation"),
            new Feature(GSO, "generic-segmentation-offload", "gso"),
            new Feature(GRO, "generic-receive-offload", "gro"),
            new Feature(GRO_HW, "rx-gro-hw", "rx-gro-hw"));

    private NetdevFeatures() {
    }

    /** The feature {@code name} (ethtool's long or short name), or null. */
    public static Feature byName(String name) {
        for (Feature f : ALL) {
            if (f.ethtoolName.equals(name) || f.shortName.equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** The short names of the features set in {@code bits}, for logs. */
    public static List<String> names(int bits) {
        List<String> out = new ArrayList<>();
        for (Feature f : ALL) {
            if ((bits & f.bit) != 0) {
                out.add(f.shortName);
            }
        }
        return out;
    }
}
