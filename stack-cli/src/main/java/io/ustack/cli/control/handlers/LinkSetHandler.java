package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.stack.NetStack;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code link set}: {@code ethtool -K DEV FEATURE on|off ...}, args {@code {"dev": NAME, "features": {NAME:
 * true|false, ...}}}. A feature the device cannot switch is refused and nothing changes; what depends on
 * another follows it (TSO goes off with tx-checksumming, rx-gro-hw with gro), as netdev_fix_features has
 * it. Answers with the interface as {@code link show} lists it.
 */
public final class LinkSetHandler implements ControlHandler {
    private final NetStack stack;

    public LinkSetHandler(NetStack stack) {
        this.stack = stack;
    }

    @Override
    public String name() {
        return "link set";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "dev", "features");
        NetDevice dev = Args.device(stack, Args.required(args, name(), "dev", "the interface's name"));
        JsonNode features = args.get("features");
        if (features == null || !features.isObject() || features.isEmpty()) {
            throw new ControlException(name() + " needs \"features\", an object of feature names and true or false");
        }
        int wanted = dev.features();
        for (Iterator<Map.Entry<String, JsonNode>> it = features.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            NetdevFeatures.Feature f = NetdevFeatures.byName(e.getKey());
            if (f == null) {
                throw new ControlException("there is no feature named " + e.getKey() + "; see ustack link show");
            }
            if (!e.getValue().isBoolean()) {
                throw new ControlException("feature " + e.getKey() + " must be true or false");
            }
            if ((dev.hwFeatures() & f.bit()) == 0) {
                throw new ControlException(dev.name() + " cannot switch " + f.ethtoolName() + " (fixed)");
            }
            wanted = e.getValue().booleanValue() ? wanted | f.bit() : wanted & ~f.bit();
        }
        dev.setFeatures(wanted);
        return LinkShowHandler.link(dev);
    }
}
