package io.ustack.driver.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TapErrorsTest {
    private static final ExistingInterface SINGLE_TAP = new ExistingInterface(true, Tun.IFF_TAP | Tun.IFF_NO_PI);
    private static final ExistingInterface MQ_TAP =
            new ExistingInterface(true, Tun.IFF_TAP | Tun.IFF_NO_PI | Tun.IFF_MULTI_QUEUE);

    @Test
    void missingTunDevice() {
        assertEquals("/dev/net/tun does not exist (load the tun module or run in a container with --device /dev/net/tun)",
                TapErrors.openTun(Errno.ENOENT));
    }

    @Test
    void permissionDeniedOnTheDeviceNode() {
        assertEquals("permission denied opening /dev/net/tun: creating a TAP needs root or CAP_NET_ADMIN (or attach to "
                + "a persistent TAP made with `ip tuntap add dev NAME mode tap user $USER`)", TapErrors.openTun(Errno.EACCES));
        assertEquals(TapErrors.openTun(Errno.EACCES), TapErrors.openTun(Errno.EPERM));
    }

    @Test
    void unknownOpenErrorNamesTheErrno() {
        assertEquals("cannot open /dev/net/tun: ENOMEM (errno 12)", TapErrors.openTun(Errno.ENOMEM));
        assertEquals("cannot open /dev/net/tun: errno 1234", TapErrors.openTun(1234));
    }

    @Test
    void creatingWithoutCapNetAdmin() {
        assertEquals("permission denied creating tap0: creating a TAP needs root or CAP_NET_ADMIN (or attach to a "
                        + "persistent TAP made with `ip tuntap add dev tap0 mode tap user $USER`)",
                TapErrors.tunSetIff(Errno.EPERM, "tap0", 1, ExistingInterface.NONE));
    }

    @Test
    void attachingToSomeoneElsesTap() {
        assertEquals("permission denied attaching to tap0: it belongs to another user, so attaching needs root or "
                        + "CAP_NET_ADMIN (or recreate it as yours with `ip tuntap add dev tap0 mode tap user $USER`)",
                TapErrors.tunSetIff(Errno.EPERM, "tap0", 1, SINGLE_TAP));
    }

    @Test
    void busy() {
        assertEquals("tap0 is busy: another process has it open", TapErrors.tunSetIff(Errno.EBUSY, "tap0", 1, SINGLE_TAP));
    }

    @Test
    void einvalIsExplainedByWhatExists() {
        assertEquals("eth0 exists and is not a TAP device",
                TapErrors.tunSetIff(Errno.EINVAL, "eth0", 1, new ExistingInterface(true, -1)));
        assertEquals("tun0 exists and is a TUN device (layer 3), not a TAP",
                TapErrors.tunSetIff(Errno.EINVAL, "tun0", 1, new ExistingInterface(true, Tun.IFF_TUN | Tun.IFF_NO_PI)));
        assertEquals("tap0 is a multi-queue TAP: open it with 2 or more queues",
                TapErrors.tunSetIff(Errno.EINVAL, "tap0", 1, MQ_TAP));
        assertEquals("tap0 is a single-queue TAP and cannot take 4 queues: open it with 1 queue, or recreate it with "
                + "`ip tuntap add dev tap0 mode tap multi_queue`", TapErrors.tunSetIff(Errno.EINVAL, "tap0", 4, SINGLE_TAP));
        assertEquals("the kernel refused to create the TAP tap0 (EINVAL)",
                TapErrors.tunSetIff(Errno.EINVAL, "tap0", 1, ExistingInterface.NONE));
    }

    @Test
    void otherTunSetIffErrorsNameTheErrno() {
        assertEquals("TUNSETIFF on tap0 failed: ENOMEM (errno 12)",
                TapErrors.tunSetIff(Errno.ENOMEM, "tap0", 1, ExistingInterface.NONE));
    }

    @Test
    void hostSideErrors() {
        assertEquals("permission denied setting the MTU 9000 of tap0: configuring the host side of a TAP needs root or "
                + "CAP_NET_ADMIN", TapErrors.hostSide("MTU 9000", Errno.EPERM, "tap0"));
        assertEquals("the kernel refused the netmask /33 for tap0 (EINVAL)", TapErrors.hostSide("netmask /33", Errno.EINVAL, "tap0"));
        assertEquals("tap0 disappeared while setting its address 10.0.0.1",
                TapErrors.hostSide("address 10.0.0.1", Errno.ENODEV, "tap0"));
        assertEquals("setting the address 10.0.0.1 of tap0 failed: EADDRNOTAVAIL (errno 99)",
                TapErrors.hostSide("address 10.0.0.1", Errno.EADDRNOTAVAIL, "tap0"));
    }

    @Test
    void sentencesAreOneLine() {
        for (int errno = 0; errno < 140; errno++) {
            for (String s : new String[] {
                TapErrors.openTun(errno),
                TapErrors.tunSetIff(errno, "tap0", 2, SINGLE_TAP),
                TapErrors.hostSide("MTU 1500", errno, "tap0"),
            }) {
                assertTrue(!s.contains("\n") && !s.isBlank(), s);
            }
        }
    }
}
