package io.ustack.core.netfilter.rules;

import io.ustack.core.netfilter.nat.NfNat;
import io.ustack.core.route.Fib;
import io.ustack.core.time.Clock;

/**
 * The parts of the stack targets and matches act through: REJECT's answers, NAT, the routes, the clock, and
 * the recent match's named lists. IPv6's tables have no NAT and no {@code fib} (null): the matches and targets
 * that need them are IPv4's only.
 */
record XtEnv(RejectSender reject, NfNat nat, Fib fib, Clock clock, RecentTables recent) {
}
