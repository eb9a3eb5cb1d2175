/**
 * The control plane: a Unix stream socket between {@code ustack daemon} and the other {@code ustack}
 * subcommands, one JSON request per line ({@code {"cmd":"stats","args":{...}}}) answered by one JSON response
 * per line ({@code {"ok":true,"result":...}} or {@code {"ok":false,"error":"sentence"}}).
 *
 * <p>Adding a command, say {@code neigh}: write {@code handlers.NeighHandler implements ControlHandler}
 * (name "neigh", reading its args and returning a result, throwing {@link io.ustack.cli.control.ControlException}
 * with a sentence for a bad request), add it in {@link io.ustack.cli.control.ControlHandlers#forStack}, and for
 * the client a picocli subcommand that calls {@link io.ustack.cli.control.ControlClient#result} and prints the
 * result (see {@code io.ustack.cli.StatsCommand}).
 */
package io.ustack.cli.control;
