/** An in-process, single-node KRaft Kafka broker for standalone mode and tests. */
@NullMarked
package dev.switchboard.kafka.embedded;

import org.jspecify.annotations.NullMarked;
