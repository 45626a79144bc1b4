/**
 * Implementation of the backend tier: the session registry and per-session serial queues, the read and write
 * session hosts that run core's state machines, and the Kafka edges (topics, consumers, the node-wide producer).
 * Nothing here is API; only {@code dev.switchboard.backend} is.
 */
@NullMarked
package dev.switchboard.backend.internal;

import org.jspecify.annotations.NullMarked;
