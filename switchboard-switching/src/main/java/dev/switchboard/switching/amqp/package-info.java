/**
 * The AMQP 0-9-1 switch: {@link dev.switchboard.switching.amqp.AmqpSwitch}, its configuration, and the shard and
 * node status it exposes for readiness and metrics.
 */
@NullMarked
package dev.switchboard.switching.amqp;

import org.jspecify.annotations.NullMarked;
