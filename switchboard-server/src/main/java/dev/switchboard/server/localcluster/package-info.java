/**
 * {@code local-cluster}: a whole cluster on one machine as separate OS processes (embedded Kafka, backend
 * nodes per shard, API nodes), shards as virtual hosts of one AMQP broker or one broker URI per shard, and
 * the {@code cluster.json} that lists the processes.
 */
@NullMarked
package dev.switchboard.server.localcluster;

import org.jspecify.annotations.NullMarked;
