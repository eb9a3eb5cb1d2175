package io.ustack.cli.packetdrill;

import io.ustack.cli.packetdrill.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parsers' cursor over a script's tokens, with the checks and errors they share: a syntax error names
 * the token it stopped at (bison's {@code parse error at 'TOKEN'}), a semantic error the line of the event
 * being parsed (packetdrill's current_script_line).
 */
final class TokenStream {
    private final String file;
    private final List<Token> tokens;
    private int at;
    private int eventLine = 1;

    TokenStream(String file, List<Token> tokens) {
        this.file = file;
        this.tokens = new ArrayList<>(tokens);
    }

    String file() {
        return file;
    }

    /**
     * Replaces the words defined in {@code defines} from here on, as lexer.l's word() does with packetdrill's
     * definitions: {@code "VALUE"} becomes a string, {@code `VALUE`} a command, anything else a word.
     */
    void substitute(Map<String, String> defines) {
        if (defines.isEmpty()) {
            return;
        }
        for (int i = at; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            String value = t.kind() == Kind.WORD ? defines.get(t.text()) : null;
            if (value == null) {
                continue;
            }
            boolean quoted = value.length() >= 2 && value.charAt(0) == value.charAt(value.length() - 1);
            Kind kind = quoted && value.charAt(0) == '"' ? Kind.STRING
                    : quoted && value.charAt(0) == '`' ? Kind.BACK_QUOTED : Kind.WORD;
            tokens.set(i, new Token(kind, kind == Kind.WORD ? value : value.substring(1, value.length() - 1),
                    t.line()));
        }
    }

    /** Semantic errors from now on name {@code line}, where an event starts. */
    void startEvent(int line) {
        eventLine = line;
    }

    Token peek() {
        return tokens.get(at);
    }

    Token peek(int ahead) {
        return tokens.get(Math.min(at + ahead, tokens.size() - 1));
    }

    Token next() {
        Token t = tokens.get(at);
        if (t.kind() != Kind.EOF) {
            at++;
        }
        return t;
    }

    void expect(char c, String what) throws ScriptError {
        if (!peek().is(c)) {
            throw error("syntax error, expected " + what);
        }
        next();
    }

    void expectWord(String word) throws ScriptError {
        if (!peek().isWord(word)) {
            throw error("syntax error, expected '" + word + "'");
        }
        next();
    }

    Token expectKind(Kind kind, String what) throws ScriptError {
        if (peek().kind() != kind) {
            throw error("syntax error, expected " + what);
        }
        return next();
    }

    /** An INTEGER token's value. */
    long integer(String what) throws ScriptError {
        return parseInt(expectKind(Kind.INTEGER, what));
    }

    /** An INTEGER or HEX_INTEGER token's value; one past 64 bits is a semantic error. */
    long parseInt(Token t) throws ScriptError {
        try {
            return t.kind() == Kind.HEX_INTEGER ? Long.parseUnsignedLong(t.text().substring(2), 16)
                    : Long.parseLong(t.text());
        } catch (NumberFormatException e) {
            throw ScriptError.semantic(file, t.line(), "integer " + t.text() + " out of range");
        }
    }

    /** {@code value} if within 0..max, else packetdrill's semantic error {@code message}. */
    long checked(long value, long max, String message) throws ScriptError {
        if (value < 0 || value > max) {
            throw semantic(message);
        }
        return value;
    }

    /** A syntax error at the next token. */
    ScriptError error(String what) {
        return ScriptError.parse(file, peek(), what);
    }

    /** A semantic error on the current event's line. */
    ScriptError semantic(String what) {
        return ScriptError.semantic(file, eventLine, what);
    }
}
