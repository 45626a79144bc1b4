/** Shared test fixtures: a real in-JVM Kafka broker as a JUnit 5 extension. */
package dev.switchboard.testkit;
