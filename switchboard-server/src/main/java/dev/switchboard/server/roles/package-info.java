/**
 * The cluster roles as separate processes joined by the AMQP switch: {@link ApiRole} (connects to every
 * shard, serves HTTP) and {@link BackendRole} (one shard, sessions over Kafka), plus the embedded Kafka broker
 * that {@code local-cluster} runs as a process of its own.
 */
package dev.switchboard.server.roles;
