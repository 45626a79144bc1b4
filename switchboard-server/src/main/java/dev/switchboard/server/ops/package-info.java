/**
 * Operating a node: its meters (a Prometheus registry with JVM metrics, {@link dev.switchboard.server.ops.NodeMetrics})
 * and the small HTTP port a backend node serves them on with its health checks
 * ({@link dev.switchboard.server.ops.MetricsServer}).
 */
@NullMarked
package dev.switchboard.server.ops;

import org.jspecify.annotations.NullMarked;
