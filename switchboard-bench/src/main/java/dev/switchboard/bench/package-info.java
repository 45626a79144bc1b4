/**
 * The load generator behind {@code switchboard bench}: drives Switchboard through the SDK and, for the baseline,
 * raw Kafka clients against the same broker with the same event count, size and batching, and measures each
 * phase's throughput and latency (HdrHistogram). Tail mode ({@link dev.switchboard.bench.TailBench})
 * measures fan-out instead: the CPU cost of many subscribers tailing one topic against one.
 */
@NullMarked
package dev.switchboard.bench;

import org.jspecify.annotations.NullMarked;
