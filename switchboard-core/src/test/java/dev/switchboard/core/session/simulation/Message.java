package dev.switchboard.core.session.simulation;

/**
 * A request or its answer on the wire. {@code attempt} numbers every send of the client, retries included; an
 * answer carries the attempt it answers, the way a real correlation id does.
 */
record Message<T>(long attempt, T body) {}
