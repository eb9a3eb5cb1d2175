package io.ustack.cli.daemon;

import io.ustack.core.link.NetDevice;
import io.ustack.core.wire.MacAddress;
import io.ustack.driver.tap.TapDevice;
import io.ustack.driver.tap.TapException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The daemon's interfaces are TAPs: opened by the driver, and released (their fds closed) by it. */
final class TapLinks implements ConfigApplier.Links {
    private static final System.Logger LOG = System.getLogger(TapLinks.class.getName());

    /** Every TAP open, including one whose dev_open failed and which the stack therefore does not know. */
    private final List<TapDevice> taps = new CopyOnWriteArrayList<>();

    @Override
    public NetDevice open(IfaceSpec spec) {
        TapDevice dev;
        try {
            dev = TapDevice.open(spec.tap());
        } catch (TapException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        taps.add(dev);
        // Numbers as strings: MessageFormat would print an MTU of 9000 as "9,000".
        LOG.log(System.Logger.Level.INFO, "{0}: {1} TAP, MAC {2}, MTU {3}, {4} queue(s)", spec.name(),
                dev.created() ? "created the" : "attached to the existing", MacAddress.format(dev.mac()),
                Integer.toString(dev.mtu()), Integer.toString(dev.queueCount()));
        return dev;
    }

    @Override
    public void release(NetDevice dev) {
        if (dev instanceof TapDevice t && taps.remove(t)) {
            t.unregister();
        }
    }

    /** Releases every TAP still open; for a daemon that stops. */
    void releaseAll() {
        for (TapDevice t : taps) {
            release(t);
        }
    }
}
