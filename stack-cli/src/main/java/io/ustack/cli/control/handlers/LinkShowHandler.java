package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.core.link.NetDevice;
import io.ustack.core.link.NetdevFeatures;
import io.ustack.core.stack.NetStack;
import io.ustack.cli.control.ControlHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code link show [dev]}: each interface with its offload features, as {@code ethtool -k} shows them:
 * on or off, and "fixed" for one the device cannot switch.
 */
public final class LinkShowHandler implements ControlHandler {
    private final NetStack stack;

    public LinkShowHandler(NetStack stack) {
        this.stack = stack;
    }

    /** One feature: ethtool's name, whether it is on, and whether it can be changed. */
    public record Feature(String name, boolean on, boolean fixed) {
    }

    /**
     * One interface and its features; {@code present} is false once what was behind it went away (a TAP
     * deleted under the daemon).
     */
    public record Link(String ifname, int mtu, boolean up, boolean present, List<Feature> features) {
    }

    @Override
    public String name() {
        return "link show";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "dev");
        String dev = Args.optional(args, name(), "dev");
        if (dev != null) {
            return List.of(link(Args.device(stack, dev)));
        }
        List<Link> out = new ArrayList<>();
        for (NetDevice d : stack.devices()) {
            out.add(link(d));
        }
        return out;
    }

    static Link link(NetDevice d) {
        List<Feature> features = new ArrayList<>();
        for (NetdevFeatures.Feature f : NetdevFeatures.ALL) {
            features.add(new Feature(f.ethtoolName(), (d.features() & f.bit()) != 0, (d.hwFeatures() & f.bit()) == 0));
        }
        return new Link(d.name(), d.mtu(), d.isUp(), d.present(), features);
    }
}
