package io.ustack.cli.control.handlers;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ustack.cli.control.ControlException;
import io.ustack.cli.control.ControlHandler;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code reload}: reads the configuration file again and applies what changed. A bad file is refused with
 * the sentence that names its line (nothing changed); no file, or a change refused half-way, answers with
 * {@code failed}.
 */
public final class ReloadHandler implements ControlHandler {
    private final Supplier<List<String>> reload;

    /**
     * The answer: what changed, a line each, and the sentence of a change refused half-way, if one was.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Result(List<String> changes, String failed) {
    }

    /**
     * @param reload applies the file and returns the changes; IllegalArgumentException for a bad file,
     *               IllegalStateException when there is no file or a change was refused half-way
     */
    public ReloadHandler(Supplier<List<String>> reload) {
        this.reload = reload;
    }

    @Override
    public String name() {
        return "reload";
    }

    @Override
    public Object execute(ObjectNode args) throws ControlException {
        Args.only(args, name());
        try {
            return new Result(reload.get(), null);
        } catch (IllegalStateException e) {
            return new Result(List.of(), e.getMessage());
        }
    }
}
