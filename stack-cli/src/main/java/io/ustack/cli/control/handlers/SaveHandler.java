package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code save}: writes the running configuration to the file {@code file} (an absolute path; none for the file
 * the daemon was started with). Answers with the file written.
 */
public final class SaveHandler implements ControlHandler {
    private final UnaryOperator<Path> save;

    /** @param save writes the configuration to the file given (null: the daemon's own) and returns the file */
    public SaveHandler(UnaryOperator<Path> save) {
        this.save = save;
    }

    @Override
    public String name() {
        return "save";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name(), "file");
        String file = Args.optional(args, name(), "file");
        if (file != null && !Path.of(file).isAbsolute()) {
            throw new ControlException("save: the file must be an absolute path, not '" + file + "'");
        }
        return Map.of("file", save.apply(file == null ? null : Path.of(file)).toString());
    }
}
