/**
 * Implementation of the AMQP switch: shard connections that reconnect, the API side (routing, pending requests,
 * presence view), the backend side (node queues, allocation consumers, presence beats) and the wire codecs.
 */
@NullMarked
package dev.switchboard.switching.amqp.internal;

import org.jspecify.annotations.NullMarked;
