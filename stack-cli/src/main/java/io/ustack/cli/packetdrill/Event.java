package io.ustack.cli.packetdrill;

/**
 * One line of a script's body: when, and what ({@code event: event_time action} in parser.y).
 *
 * @param line the line of the event's time, which packetdrill names in its messages
 */
record Event(int line, EventTime time, Action action) {
}
