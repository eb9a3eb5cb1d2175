package io.ustack.cli.packetdrill;

import io.ustack.core.wire.Ipv4Address;

/**
 * How a script is run: packetdrill's command-line settings that this runner takes, with its defaults
 * (config.c): the local and remote IPv4 addresses and netmask, the device's MTU, the timing tolerance, and
 * the port bind(2) and connect(2) use when a script writes {@code ...} for the address.
 *
 * @param tolerancePercent a timing error may also be this share of the time since the previous event, when
 *                         that is more than {@code toleranceUsecs} (packetdrill's --tolerance_percent)
 * @param seed             the stack's randomness (ISNs, ports), fixed so that a run can be repeated
 */
record RunConfig(int localIp, int remoteIp, int prefixLen, int mtu, long toleranceUsecs, double tolerancePercent,
                 int bindPort, int connectPort, long seed) {
    static RunConfig defaults() {
        return new RunConfig(Ipv4Address.parse("192.168.0.1"), Ipv4Address.parse("192.0.2.1"), 16, 1500, 4_000, 12.5,
                8080, 8080, 1);
    }

    RunConfig withToleranceUsecs(long usecs) {
        return new RunConfig(localIp, remoteIp, prefixLen, mtu, usecs, tolerancePercent, bindPort, connectPort, seed);
    }

    RunConfig withTolerancePercent(double percent) {
        return new RunConfig(localIp, remoteIp, prefixLen, mtu, toleranceUsecs, percent, bindPort, connectPort, seed);
    }

    RunConfig withAddresses(int local, int remote, int prefix) {
        return new RunConfig(local, remote, prefix, mtu, toleranceUsecs, tolerancePercent, bindPort, connectPort, seed);
    }

    RunConfig withMtu(int m) {
        return new RunConfig(localIp, remoteIp, prefixLen, m, toleranceUsecs, tolerancePercent, bindPort, connectPort, seed);
    }
}
