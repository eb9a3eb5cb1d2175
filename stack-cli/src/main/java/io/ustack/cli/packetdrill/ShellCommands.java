package io.ustack.cli.packetdrill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a backtick command into {@link ShellItem}s without running anything on the host:
 * <ul>
 * <li>{@code sysctl [-q] [-w] [-e] NAME=VALUE...}, dotted or slashed names ({@code net/ipv4/tcp_sack}),
 *     several to a line;</li>
 * <li>{@code ./set_sysctls.py /proc/sys/NAME=VALUE...} (Linux's helper, which also writes a restore script);</li>
 * <li>{@code echo VALUE > /proc/sys/NAME};</li>
 * <li>a script named relative to the .pkt, {@code ./defaults.sh} (also {@code bash x.sh}, {@code sh x.sh},
 *     {@code source x.sh}, {@code . x.sh}), read and interpreted line by line the same way, to any depth short
 *     of a loop;</li>
 * <li>anything else ({@code ip tcp_metrics}, {@code /tmp/sysctl_restore_${PPID}.sh}, reads, pipelines) as
 *     {@link ShellItem.Unsupported}, with its text and the reason; the runner still applies the
 *     {@code ethtool -K} and {@code tc qdisc} lines among them to the script's device.</li>
 * </ul>
 * Blank lines and comments are skipped, backslash-newline continues a line, and {@code > /dev/null 2>&1}
 * redirections are ignored.
 */
final class ShellCommands {
    private static final int MAX_DEPTH = 8;
    private static final String PROC_SYS = "/proc/sys/";

    /** Where called scripts are found: the .pkt's directory. */
    interface ScriptSource {
        /** The text of script {@code name} (as written, relative to the .pkt's directory), or null. */
        String read(String name);
    }

    private final ScriptSource scripts;

    ShellCommands(ScriptSource scripts) {
        this.scripts = scripts;
    }

    /**
     * Reads called scripts relative to {@code directory} (packetdrill's own tests call
     * {@code ../common/defaults.sh}); they are only read, never run.
     */
    static ShellCommands inDirectory(Path directory) {
        return new ShellCommands(name -> {
            Path p = directory.resolve(name).normalize();
            if (!Files.isRegularFile(p)) {
                return null;
            }
            try {
                return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return null;
            }
        });
    }

    /** The items of {@code text}, a command whose first line is line {@code line} of {@code file}. */
    List<ShellItem> interpret(String text, String file, int line) {
        List<ShellItem> out = new ArrayList<>();
        interpret(text, file, line, 0, List.of(), out);
        return out;
    }

    private void interpret(String text, String file, int firstLine, int depth, List<String> calling,
                           List<ShellItem> out) {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = firstLine + i;
            StringBuilder logical = new StringBuilder(lines[i]);
            while (endsWithContinuation(logical) && i + 1 < lines.length) {
                logical.setLength(logical.length() - 1);
                logical.append(' ').append(lines[++i]);
            }
            for (ShellWords.Command c : ShellWords.split(logical.toString())) {
                command(c, file, lineNo, depth, calling, out);
            }
        }
    }

    private static boolean endsWithContinuation(StringBuilder s) {
        int backslashes = 0;
        for (int i = s.length() - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private void command(ShellWords.Command c, String file, int line, int depth, List<String> calling,
                         List<ShellItem> out) {
        if (c.problem() != null) {
            out.add(new ShellItem.Unsupported(c.text(), c.problem(), file, line));
            return;
        }
        List<String> w = c.words();
        if (w.isEmpty()) {
            out.add(new ShellItem.Unsupported(c.text(), "a redirection with no command", file, line));
            return;
        }
        String name = w.get(0);
        if (name.equals("echo") && c.redirects().size() == 1 && c.redirects().get(0).startsWith(">" + PROC_SYS)) {
            echoToProc(c, file, line, out);
            return;
        }
        if (!c.redirects().isEmpty()) {
            out.add(new ShellItem.Unsupported(c.text(), "writes to " + c.redirects().get(0).replaceFirst("^>+", ""),
                    file, line));
            return;
        }
        if (w.get(0).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
            out.add(new ShellItem.Unsupported(c.text(), "needs a shell: a variable assignment", file, line));
        } else if (name.equals("sysctl")) {
            sysctl(c, file, line, out);
        } else if (baseName(name).equals("set_sysctls.py")
                || (name.startsWith("python") && w.size() > 1 && baseName(w.get(1)).equals("set_sysctls.py"))) {
            setSysctls(c, file, line, out);
        } else if ((name.equals("bash") || name.equals("sh") || name.equals("source") || name.equals("."))
                && w.size() >= 2) {
            script(c, w.get(1), file, line, depth, calling, out);
        } else if (name.endsWith(".sh") && name.contains("/")) {
            script(c, name, file, line, depth, calling, out);
        } else {
            out.add(new ShellItem.Unsupported(c.text(), "not a sysctl setting or a script next to the .pkt",
                    file, line));
        }
    }

    /** {@code sysctl [-q|-w|-e|-n|-qw...] NAME=VALUE...}: each setting; a read or another option is unsupported. */
    private static void sysctl(ShellWords.Command c, String file, int line, List<ShellItem> out) {
        List<String> args = c.words().subList(1, c.words().size());
        int i = 0;
        for (; i < args.size() && args.get(i).startsWith("-"); i++) {
            if (!args.get(i).matches("-[qwen]+")) {
                out.add(new ShellItem.Unsupported(c.text(), "sysctl option " + args.get(i), file, line));
                return;
            }
        }
        if (i == args.size()) {
            out.add(new ShellItem.Unsupported(c.text(), "sysctl with no NAME=VALUE", file, line));
        }
        for (; i < args.size(); i++) {
            String a = args.get(i);
            int eq = a.indexOf('=');
            if (eq <= 0) {
                out.add(new ShellItem.Unsupported(c.text(), "a sysctl read (" + a + ") sets nothing", file, line));
                continue;
            }
            out.add(new ShellItem.Sysctl(sysctlName(a.substring(0, eq)), a.substring(eq + 1), file, line));
        }
    }

    /** Linux's set_sysctls.py: {@code /proc/sys/NAME=VALUE} arguments. */
    private static void setSysctls(ShellWords.Command c, String file, int line, List<ShellItem> out) {
        List<String> w = c.words();
        int first = baseName(w.get(0)).equals("set_sysctls.py") ? 1 : 2;
        for (String a : w.subList(first, w.size())) {
            int eq = a.indexOf('=');
            if (!a.startsWith(PROC_SYS) || eq < 0) {
                out.add(new ShellItem.Unsupported(c.text(), "set_sysctls.py argument " + a
                        + " is not /proc/sys/NAME=VALUE", file, line));
                continue;
            }
            out.add(new ShellItem.Sysctl(sysctlName(a.substring(PROC_SYS.length(), eq)), a.substring(eq + 1),
                    file, line));
        }
    }

    /** {@code echo [-n] VALUE... > /proc/sys/NAME}. */
    private static void echoToProc(ShellWords.Command c, String file, int line, List<ShellItem> out) {
        List<String> w = c.words();
        int from = w.size() > 1 && w.get(1).equals("-n") ? 2 : 1;
        String target = c.redirects().get(0).replaceFirst("^>+", "");
        out.add(new ShellItem.Sysctl(sysctlName(target.substring(PROC_SYS.length())),
                String.join(" ", w.subList(from, w.size())), file, line));
    }

    /** A script beside the .pkt, interpreted in its turn. */
    private void script(ShellWords.Command c, String path, String file, int line, int depth, List<String> calling,
                        List<ShellItem> out) {
        if (path.startsWith("/")) {
            out.add(new ShellItem.Unsupported(c.text(), "an absolute path (only scripts named relative to the .pkt are read)", file, line));
            return;
        }
        String name = path.startsWith("./") ? path.substring(2) : path;
        if (calling.contains(name) || depth >= MAX_DEPTH) {
            out.add(new ShellItem.Unsupported(c.text(), "scripts calling each other in a loop", file, line));
            return;
        }
        String text = scripts.read(name);
        if (text == null) {
            out.add(new ShellItem.Unsupported(c.text(), "no script " + name + " next to the .pkt", file, line));
            return;
        }
        List<String> chain = new ArrayList<>(calling);
        chain.add(name);
        interpret(text, name, 1, depth + 1, chain, out);
    }

    /** sysctl's name from dotted or slashed form: {@code net/ipv4/tcp_sack} is {@code net.ipv4.tcp_sack}. */
    static String sysctlName(String key) {
        return key.indexOf('/') >= 0 ? key.replaceAll("^/+", "").replace('/', '.') : key;
    }

    private static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
