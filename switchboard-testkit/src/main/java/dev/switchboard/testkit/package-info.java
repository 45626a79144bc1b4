/**
 * Shared test fixtures as JUnit 5 extensions: a real in-JVM Kafka broker ({@link
 * dev.switchboard.testkit.KafkaExtension}) and a real AMQP 0-9-1 broker ({@link
 * dev.switchboard.testkit.AmqpExtension}: the machine's RabbitMQ, else Qpid Broker-J in-process).
 */
@NullMarked
package dev.switchboard.testkit;

import org.jspecify.annotations.NullMarked;
