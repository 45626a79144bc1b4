/**
 * The load generator behind {@code switchboard bench}: drives Switchboard through the SDK and, for the baseline,
 * raw Kafka clients against the same broker with the same event count, size and batching, and measures each
 * phase's throughput and latency (HdrHistogram).
 */
package dev.switchboard.server.bench;
