package io.ustack.it.docker;

/**
 * A network namespace inside a container ({@code ip netns add} there), holding one peer host: the host side
 * of one of the daemon's TAPs. It goes away with the container.
 */
final class InnerNetNs {
    private final UstackContainer box;
    final String name;

    private InnerNetNs(UstackContainer box, String name) {
        this.box = box;
        this.name = name;
    }

    /**
     * Makes the namespace and moves the host side of {@code tap} into it, addressed {@code cidr}, with a
     * default route via {@code gateway} (the daemon's address on that TAP).
     */
    static InnerNetNs hostOn(UstackContainer box, String name, String tap, String cidr, String gateway) {
        InnerNetNs ns = new InnerNetNs(box, name);
        box.exec("ip", "netns", "add", name).ok();
        ns.exec("ip", "link", "set", "lo", "up").ok();
        box.exec("ip", "link", "set", tap, "netns", name).ok();
        ns.exec("ip", "addr", "add", cidr, "dev", tap).ok();
        ns.exec("ip", "link", "set", tap, "up").ok();
        ns.exec("ip", "route", "add", "default", "via", gateway).ok();
        return ns;
    }

    Exec exec(String... argv) {
        String[] cmd = new String[argv.length + 4];
        cmd[0] = "ip";
        cmd[1] = "netns";
        cmd[2] = "exec";
        cmd[3] = name;
        System.arraycopy(argv, 0, cmd, 4, argv.length);
        return box.exec(cmd);
    }

    /** Its addresses and routes, for a failure's report. */
    String diagnostics() {
        return "---- netns " + name + " ----\n" + exec("ip", "addr").output() + exec("ip", "route").output()
                + exec("ip", "neigh").output();
    }
}
