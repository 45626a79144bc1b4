/**
 * The cluster roles as separate processes joined by the AMQP switch: {@link ApiRole} (connects to every
 * shard, serves HTTP) and {@link BackendRole} (one shard, sessions over Kafka), plus the embedded Kafka broker
 * that {@code local-cluster} runs as a process of its own.
 */
@NullMarked
package dev.switchboard.server.roles;

import org.jspecify.annotations.NullMarked;
