package io.ustack.cli;

import io.ustack.cli.control.ControlPath;
import io.ustack.cli.control.Uid;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --control PATH}, mixed into every command as a field named {@code control}, so that it is
 * accepted before and after a subcommand's name.
 */
public final class ControlOption {
    /** The name of the mixin, which is the field's name in each command. */
    private static final String MIXIN = "control";

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--control", paramLabel = "PATH",
            description = {"The daemon's control socket. Default:", "$" + ControlPath.ENV + " if set, else",
                ControlPath.ROOT_DEFAULT + " for root,", "$XDG_RUNTIME_DIR/" + ControlPath.FILE_NAME + " for others."})
    String path;

    /**
     * The control socket: the --control given nearest to this command (on it, then on its parents), else
     * the default for this user and environment.
     */
    public Path resolve() {
        String explicit = null;
        for (CommandSpec c = mixee; c != null && explicit == null; c = c.parent()) {
            CommandSpec mixin = c.mixins().get(MIXIN);
            explicit = mixin == null ? null : ((ControlOption) mixin.userObject()).path;
        }
        return ControlPath.resolve(explicit, System.getenv(), Uid.current());
    }
}
