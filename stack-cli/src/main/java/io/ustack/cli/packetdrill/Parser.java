package io.ustack.cli.packetdrill;

import io.ustack.cli.packetdrill.PacketSpec.Direction;
import io.ustack.cli.packetdrill.Token.Kind;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A recursive-descent parser for packetdrill's script language, following parser.y's rules (named in each
 * method's Javadoc) and its checks: options, the init and cleanup commands, events and their times, system
 * calls with their argument expressions, commands and code snippets; packets are {@link PacketParser}'s.
 * A syntax error is reported as bison's {@code parse error at 'TOKEN'}, a bad value ({@code mss 70000},
 * {@code 1:11(5)}, {@code *} on an inbound packet) as packetdrill's {@code semantic error}, both with the file
 * and line ({@link ScriptError}).
 */
final class Parser {
    /** Brackets deeper than this are refused rather than risking the parser's stack. */
    private static final int MAX_DEPTH = 100;

    private final TokenStream in;
    private final PacketParser packets;
    private int depth;

    private Parser(TokenStream in) {
        this.in = in;
        this.packets = new PacketParser(in);
    }

    /** Parses a script's text; {@code file} names it in messages. */
    static Script parse(String file, String text) throws ScriptError {
        return parse(file, text, Map.of());
    }

    /**
     * Parses a script's text with symbols defined as packetdrill's {@code -D NAME=VALUE} (Linux's ksft_runner.sh
     * passes {@code -D CMSG_LEVEL_IP=SOL_IP -D CMSG_TYPE_RECVERR=IP_RECVERR}); the script's own
     * {@code --define=NAME=VALUE} lines add to them. A defined word is replaced where it appears after the
     * options, as lexer.l's word() does: by a string for {@code "VALUE"}, a command for {@code `VALUE`}, else a word.
     */
    static Script parse(String file, String text, Map<String, String> defines) throws ScriptError {
        return new Parser(new TokenStream(file, Lexer.tokenize(file, text))).script(defines);
    }

    /** Reads and parses a .pkt file. */
    static Script parseFile(Path path) throws IOException, ScriptError {
        return parseFile(path, Map.of());
    }

    /**
     * Reads and parses a .pkt file with symbols defined as {@code -D NAME=VALUE}. Bytes that are not UTF-8 are
     * read as U+FFFD (a comment in Latin-1 is no reason to refuse a script); only a file that cannot be read
     * is an IOException.
     */
    static Script parseFile(Path path, Map<String, String> defines) throws IOException, ScriptError {
        return parse(path.toString(), new String(Files.readAllBytes(path), StandardCharsets.UTF_8), defines);
    }

    /** {@code script: opt_options opt_init_command events opt_cleanup_command}. */
    private Script script(Map<String, String> commandLineDefines) throws ScriptError {
        List<Script.Option> options = new ArrayList<>();
        while (in.peek().kind() == Kind.OPTION) {
            options.add(option());
        }
        Map<String, String> defines = new HashMap<>(commandLineDefines);
        for (Script.Option o : options) {
            int eq = o.value() == null ? -1 : o.value().indexOf('=');
            if (o.name().equals("define") && eq > 0) {
                defines.put(o.value().substring(0, eq), o.value().substring(eq + 1));
            }
        }
        in.substitute(defines);
        Action.Command init = null;
        if (in.peek().kind() == Kind.BACK_QUOTED) {
            Token t = in.next();
            init = new Action.Command(t.text(), t.line());
        }
        List<Event> events = new ArrayList<>();
        Action.Command cleanup = null;
        do {
            if (in.peek().kind() == Kind.BACK_QUOTED && in.peek(1).kind() == Kind.EOF && !events.isEmpty()) {
                Token t = in.next();
                cleanup = new Action.Command(t.text(), t.line());
            } else {
                events.add(event());
            }
        } while (in.peek().kind() != Kind.EOF);
        return new Script(in.file(), options, init, events, cleanup);
    }

    /** {@code option: OPTION ['=' option_value]}, such as {@code --tolerance_usecs=10000} or {@code --define=CC="reno"}. */
    private Script.Option option() throws ScriptError {
        Token name = in.next();
        if (!in.peek().is('=')) {
            return new Script.Option(name.line(), name.text(), null);
        }
        in.next();
        Token value = in.next();
        switch (value.kind()) {
            case INTEGER, HEX_INTEGER, FLOAT, STRING, IPV4_ADDR, IPV6_ADDR -> {
                return new Script.Option(name.line(), name.text(), value.text());
            }
            case WORD -> {
                if (!in.peek().is('=')) {
                    return new Script.Option(name.line(), name.text(), value.text());
                }
                in.next();
                Token rhs = in.next();
                String text = switch (rhs.kind()) {
                    case WORD -> rhs.text();
                    case STRING -> '"' + rhs.text() + '"';
                    case BACK_QUOTED -> '`' + rhs.text() + '`';
                    default -> throw ScriptError.parse(in.file(), rhs, "syntax error, expected a word, string or command");
                };
                return new Script.Option(name.line(), name.text(), value.text() + "=" + text);
            }
            default -> throw ScriptError.parse(in.file(), value, "syntax error, expected an option value");
        }
    }

    /** {@code event: event_time action}, with packetdrill's checks that {@code *} and ranges go with outbound packets. */
    private Event event() throws ScriptError {
        Token first = in.peek();
        in.startEvent(first.line());
        EventTime time = eventTime();
        Action action = action();
        if (time.isRange() && time.endUsecs() < time.usecs()) {
            throw in.semantic("time range is backwards");
        }
        boolean outbound = action instanceof Action.Packet p && p.spec().direction() == Direction.OUTBOUND;
        if (time.kind() == EventTime.Kind.ANY && !outbound) {
            throw in.semantic("event time <star> can only be used with outbound packets");
        }
        if (time.isRange() && !outbound) {
            throw in.semantic("event time range can only be used with outbound packets");
        }
        return new Event(first.line(), time, action);
    }

    /** {@code event_time: '+' time | time | '*' | time '~' time | '+' time '~' '+' time}. */
    private EventTime eventTime() throws ScriptError {
        if (in.peek().is('*')) {
            in.next();
            return EventTime.any();
        }
        if (in.peek().is('+')) {
            in.next();
            long start = time();
            if (!in.peek().is('~')) {
                return EventTime.relative(start);
            }
            in.next();
            in.expect('+', "'+' (a relative range is written +START~+END)");
            return new EventTime(EventTime.Kind.RELATIVE_RANGE, start, time());
        }
        if (in.peek().kind() != Kind.INTEGER && in.peek().kind() != Kind.FLOAT) {
            throw in.error("syntax error, expected an event time (such as 0, +.1 or *)");
        }
        long start = time();
        if (!in.peek().is('~')) {
            return EventTime.absolute(start);
        }
        in.next();
        return new EventTime(EventTime.Kind.ABSOLUTE_RANGE, start, time());
    }

    /** {@code time: FLOAT | INTEGER}, seconds, to microseconds (exactly: {@code .001} is 1000). */
    private long time() throws ScriptError {
        Token t = in.peek();
        if (t.kind() != Kind.INTEGER && t.kind() != Kind.FLOAT) {
            throw in.error("syntax error, expected a time in seconds");
        }
        in.next();
        BigDecimal seconds = new BigDecimal(t.text().startsWith("-.") ? "-0" + t.text().substring(1)
                : t.text().startsWith(".") ? "0" + t.text() : t.text());
        if (seconds.signum() < 0) {
            throw in.semantic("negative time");
        }
        try {
            return seconds.movePointRight(6).longValue();
        } catch (ArithmeticException e) {
            throw in.semantic("time out of range");
        }
    }

    /** {@code action: packet_spec | syscall_spec | command_spec | code_spec}. */
    private Action action() throws ScriptError {
        Token t = in.peek();
        if (t.is('<') || t.is('>')) {
            return new Action.Packet(packets.packet());
        }
        if (t.kind() == Kind.BACK_QUOTED) {
            in.next();
            return new Action.Command(t.text(), t.line());
        }
        if (t.kind() == Kind.CODE) {
            in.next();
            return new Action.Code(t.text(), t.line());
        }
        if (t.kind() == Kind.ELLIPSIS || (t.kind() == Kind.WORD && in.peek(1).is('('))) {
            return syscall();
        }
        throw in.error("syntax error, expected a packet (< or >), a system call, a `command` or %{ code }%");
    }

    /** {@code syscall_spec: opt_end_time function_name function_arguments '=' expression opt_errno opt_note}. */
    private Action.Syscall syscall() throws ScriptError {
        long end = Action.Syscall.NON_BLOCKING;
        if (in.peek().kind() == Kind.ELLIPSIS) {
            in.next();
            end = time();
        }
        String name = in.expectKind(Kind.WORD, "a system call name").text();
        in.expect('(', "'(' after the system call's name");
        List<Expr> args = in.peek().is(')') ? List.of() : expressionList(')');
        in.expect(')', "',' or ')' in the arguments");
        in.expect('=', "'=' and the expected result");
        Expr result = expression();
        String errno = null;
        String note = null;
        if (in.peek().kind() == Kind.WORD) {
            errno = in.next().text();
        }
        if (in.peek().is('(')) {
            note = note();
        }
        return new Action.Syscall(end, name, args, result, errno, note);
    }

    /** {@code note: '(' word_list ')'}: the words are kept joined by single spaces. */
    private String note() throws ScriptError {
        Token open = in.next();
        StringBuilder sb = new StringBuilder();
        while (!in.peek().is(')')) {
            Token t = in.peek();
            if (t.kind() == Kind.EOF || t.kind() == Kind.BACK_QUOTED || t.kind() == Kind.CODE
                    || t.line() != open.line()) {
                throw in.error("syntax error, expected ')' to close the note");
            }
            in.next();
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(t.text());
        }
        in.next();
        return sb.toString();
    }

    private List<Expr> expressionList(char close) throws ScriptError {
        List<Expr> list = new ArrayList<>();
        list.add(expression());
        while (in.peek().is(',')) {
            in.next();
            list.add(expression());
        }
        if (!in.peek().is(close)) {
            throw in.error("syntax error, expected ',' or '" + close + "'");
        }
        return list;
    }

    /** {@code expression}, with {@code binary_expression: expression '|' expression}. */
    private Expr expression() throws ScriptError {
        Expr e = primary();
        while (in.peek().is('|')) {
            in.next();
            e = new Expr.Or(e, primary());
        }
        return e;
    }

    /**
     * The other {@code expression} forms: ELLIPSIS, integers, strings (joined; {@code "x"...}), words,
     * {@code WORD '=' expression}, arrays, braces, and function-like forms ({@code htons(8080)},
     * {@code inet_addr("...")}, {@code msg_iov(1)=[...]}).
     */
    private Expr primary() throws ScriptError {
        Token t = in.peek();
        if (++depth > MAX_DEPTH) {
            throw in.error("expressions nested more than " + MAX_DEPTH + " deep");
        }
        try {
            return primary(t);
        } finally {
            depth--;
        }
    }

    private Expr primary(Token t) throws ScriptError {
        switch (t.kind()) {
            case ELLIPSIS -> {
                in.next();
                return new Expr.Ellipsis();
            }
            case INTEGER, HEX_INTEGER -> {
                in.next();
                return new Expr.Int(in.parseInt(t), t.kind() == Kind.HEX_INTEGER);
            }
            case STRING -> {
                StringBuilder s = new StringBuilder();
                while (in.peek().kind() == Kind.STRING) {
                    s.append(in.next().text());
                }
                boolean prefix = false;
                if (in.peek().kind() == Kind.ELLIPSIS) {
                    in.next();
                    prefix = true;
                }
                return new Expr.Str(s.toString(), prefix);
            }
            case WORD -> {
                in.next();
                Expr target = new Expr.Word(t.text());
                if (in.peek().is('(')) {
                    in.next();
                    List<Expr> args = in.peek().is(')') ? List.of() : expressionList(')');
                    in.next();
                    target = new Expr.Call(t.text(), args);
                }
                if (in.peek().is('=')) {
                    in.next();
                    return new Expr.Assign(target, expression());
                }
                return target;
            }
            case PUNCT -> {
                if (t.is('[') || t.is('{')) {
                    in.next();
                    char close = t.is('[') ? ']' : '}';
                    List<Expr> items = in.peek().is(close) ? List.of() : expressionList(close);
                    in.next();
                    return t.is('[') ? new Expr.Array(items) : new Expr.Braces(items);
                }
            }
            default -> {
            }
        }
        throw in.error("syntax error, expected an expression");
    }
}
