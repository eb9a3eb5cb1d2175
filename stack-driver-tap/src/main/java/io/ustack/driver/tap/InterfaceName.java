package io.ustack.driver.tap;

import java.nio.charset.StandardCharsets;

/** Interface names as the kernel's dev_valid_name accepts them. */
final class InterfaceName {
    /** IFNAMSIZ less the terminating NUL. */
    static final int MAX_LENGTH = IfReq.IFNAMSIZ - 1;

    private InterfaceName() {
    }

    /**
     * dev_valid_name, plus no '%' (which would make TUNSETIFF pick a name from a template, and the driver
     * must know the name beforehand to tell whether it created the TAP). Returns null if {@code name} is
     * valid, otherwise the sentence saying why not.
     */
    static String check(String name) {
        if (name == null || name.isEmpty()) {
            return "a TAP needs a name (like tap0)";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            return "'" + name + "' is not a valid interface name: it is longer than " + MAX_LENGTH + " bytes";
        }
        if (name.equals(".") || name.equals("..")) {
            return "'" + name + "' is not a valid interface name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "'" + name + "' is not a valid interface name: it may not contain spaces or control characters";
            }
            if (c == '/' || c == ':' || c == '%') {
                return "'" + name + "' is not a valid interface name: it may not contain '" + c + "'";
            }
        }
        return null;
    }
}
