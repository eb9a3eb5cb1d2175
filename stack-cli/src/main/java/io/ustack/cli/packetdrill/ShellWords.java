package io.ustack.cli.packetdrill;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one line of shell into simple commands ({@code ;} and {@code &&} separate them) and each command
 * into words as bash would: single and double quotes removed, backslash escapes, {@code $((...))} worked
 * out ({@link ShellArithmetic}), {@code #} comments dropped, redirections taken out of the words
 * ({@code > /dev/null 2>&1} and other {@code /dev/null} or fd duplications dropped, the rest kept for the
 * interpreter to judge). What needs a real shell (variables, command substitution, pipelines, {@code ||},
 * background jobs, subshells) makes the command a {@link Command} with a {@code problem}.
 */
final class ShellWords {
    /**
     * One simple command.
     *
     * @param text the command as written, for messages
     * @param words its words after quote removal and expansion
     * @param redirects the redirections that matter: {@code >FILE} or {@code >>FILE} targets other than /dev/null
     * @param problem why it cannot be interpreted, or null
     */
    record Command(String text, List<String> words, List<String> redirects, String problem) {
    }

    private final String line;
    private int pos;
    private final List<Command> commands = new ArrayList<>();
    private List<String> words = new ArrayList<>();
    private List<String> redirects = new ArrayList<>();
    private String problem;
    private int commandStart;
    private StringBuilder word;
    /** The redirection waiting for its target word: {@code >}, {@code >>}, {@code <}, {@code >&}. */
    private String pendingRedirect;

    private ShellWords(String line) {
        this.line = line;
    }

    /** The commands of one logical line (continuations already joined). */
    static List<Command> split(String line) {
        ShellWords s = new ShellWords(line);
        s.run();
        return s.commands;
    }

    private void run() {
        while (pos < line.length()) {
            char c = line.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r') {
                endWord();
                pos++;
            } else if (c == '#' && word == null) {
                endWord();
                pos = line.length();
            } else if (c == '\'') {
                int end = line.indexOf('\'', pos + 1);
                if (end < 0) {
                    fail("an unterminated ' quote");
                    end = line.length() - 1;
                }
                word().append(line, pos + 1, Math.max(end, pos + 1));
                pos = end + 1;
            } else if (c == '"') {
                doubleQuoted();
            } else if (c == '\\') {
                if (pos + 1 < line.length()) {
                    word().append(line.charAt(pos + 1));
                }
                pos += 2;
            } else if (c == '$') {
                dollar();
            } else if (c == '`') {
                fail("command substitution");
                pos++;
            } else if (c == ';') {
                endCommand(pos);
                pos++;
            } else if (c == '&' && line.startsWith("&&", pos)) {
                endCommand(pos);
                pos += 2;
            } else if (c == '&' && line.startsWith("&>", pos)) {
                endWord();
                pendingRedirect = line.startsWith("&>>", pos) ? ">>" : ">";
                pos += pendingRedirect.length() + 1;
            } else if (c == '|' || c == '&') {
                fail(line.startsWith("||", pos) ? "'||'" : c == '|' ? "a pipeline" : "a background job");
                pos += line.startsWith("||", pos) ? 2 : 1;
            } else if (c == '>' || c == '<') {
                redirect(c);
            } else if (c == '(' || c == ')') {
                fail("a subshell or function");
                pos++;
            } else {
                word().append(c);
                pos++;
            }
        }
        endCommand(line.length());
    }

    private StringBuilder word() {
        if (word == null) {
            word = new StringBuilder();
        }
        return word;
    }

    private void endWord() {
        if (word == null) {
            return;
        }
        String w = word.toString();
        word = null;
        if (pendingRedirect == null) {
            words.add(w);
            return;
        }
        String op = pendingRedirect;
        pendingRedirect = null;
        if (op.equals(">&") || w.equals("/dev/null")) {
            return;
        }
        if (op.equals("<")) {
            fail("input redirection");
        } else {
            redirects.add(op + w);
        }
    }

    private void endCommand(int end) {
        endWord();
        if (pendingRedirect != null) {
            fail("a redirection without a target");
            pendingRedirect = null;
        }
        String text = line.substring(commandStart, end).trim();
        if (!text.isEmpty() && (!words.isEmpty() || problem != null || !redirects.isEmpty())) {
            commands.add(new Command(text, List.copyOf(words), List.copyOf(redirects), problem));
        }
        words = new ArrayList<>();
        redirects = new ArrayList<>();
        problem = null;
        commandStart = end + 1;
    }

    /** {@code [N]>}, {@code >>}, {@code >&N}, {@code <}: a word of digits right before is the fd, not a word. */
    private void redirect(char c) {
        if (word != null && word.toString().matches("[0-9]+")) {
            word = null;
        } else {
            endWord();
        }
        if (c == '<') {
            pendingRedirect = "<";
            pos++;
        } else if (line.startsWith(">>", pos)) {
            pendingRedirect = ">>";
            pos += 2;
        } else if (line.startsWith(">&", pos)) {
            pendingRedirect = ">&";
            pos += 2;
        } else {
            pendingRedirect = ">";
            pos++;
        }
        while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private void doubleQuoted() {
        StringBuilder w = word();
        pos++;
        while (pos < line.length() && line.charAt(pos) != '"') {
            char c = line.charAt(pos);
            if (c == '\\' && pos + 1 < line.length() && "\"\\$`".indexOf(line.charAt(pos + 1)) >= 0) {
                w.append(line.charAt(pos + 1));
                pos += 2;
            } else if (c == '$') {
                dollar();
            } else if (c == '`') {
                fail("command substitution");
                pos++;
            } else {
                w.append(c);
                pos++;
            }
        }
        if (pos >= line.length()) {
            fail("an unterminated \" quote");
        }
        pos++;
    }

    /** {@code $((...))} is worked out; any other expansion needs a shell. */
    private void dollar() {
        if (line.startsWith("$((", pos)) {
            int depth = 0;
            for (int i = pos + 1; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0) {
                    String expression = line.substring(pos + 3, i - 1);
                    if (line.charAt(i - 1) != ')') {
                        break;
                    }
                    try {
                        word().append(ShellArithmetic.evaluate(expression));
                    } catch (IllegalArgumentException e) {
                        fail(e.getMessage());
                    }
                    pos = i + 1;
                    return;
                }
            }
            fail("an unterminated $((");
            pos = line.length();
            return;
        }
        int end = pos + 1;
        if (end < line.length() && line.charAt(end) == '{') {
            int close = line.indexOf('}', end);
            end = close < 0 ? line.length() : close + 1;
        } else {
            while (end < line.length() && (Character.isLetterOrDigit(line.charAt(end)) || line.charAt(end) == '_')) {
                end++;
            }
        }
        if (end == pos + 1) {
            if (end < line.length() && line.charAt(end) == '(') {
                fail("command substitution $(...)");
            } else {
                word().append('$');
            }
            pos = end;
            return;
        }
        fail("the shell variable " + line.substring(pos, end));
        word().append(line, pos, end);
        pos = end;
    }

    private void fail(String what) {
        if (problem == null) {
            problem = "needs a shell: " + what;
        }
    }
}
