package io.ustack.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The {@code ustack} entry point: parses the command line with picocli and turns every failure into one
 * line on stderr and an exit status. 0 is success, 2 a bad command line (picocli's usage-error code, also
 * for a bad --iface or --route), 1 anything the user must fix outside the command line (permissions, a
 * missing daemon...). Stack traces are only printed for bugs.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Logging.configure();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, with its usage and error handling; tests run it with their own writers. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new UstackCommand());
        // picocli's own words for these are a programmer's ("'x' is not an int"): say them as a user would
        cl.registerConverter(Integer.class, Main::wholeNumber);
        cl.registerConverter(int.class, Main::wholeNumber);
        cl.registerConverter(Long.class, Main::longNumber);
        cl.registerConverter(long.class, Main::longNumber);
        cl.registerConverter(Double.class, Main::number);
        cl.registerConverter(double.class, Main::number);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof UserException) {
                cmd.getErr().println("ustack: " + e.getMessage());
                cmd.getErr().flush();
                return UserException.EXIT_CODE;
            }
            throw e;
        });
        return cl;
    }

    private static Integer wholeNumber(String s) {
        try {
            return Integer.valueOf(s.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + s + "' is not a whole number");
        }
    }

    private static Long longNumber(String s) {
        try {
            return Long.valueOf(s.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + s + "' is not a whole number");
        }
    }

    private static Double number(String s) {
        try {
            double d = Double.parseDouble(s.strip());
            if (Double.isFinite(d) && !s.strip().matches(".*[dDfFxXpP].*")) {
                return d;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new CommandLine.TypeConversionException("'" + s + "' is not a number");
    }

    /**
     * A bad command line: one sentence, not picocli's default of the message followed by the whole usage
     * text, so scripts and tests see exactly what was wrong.
     */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("ustack: " + e.getMessage());
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
}
