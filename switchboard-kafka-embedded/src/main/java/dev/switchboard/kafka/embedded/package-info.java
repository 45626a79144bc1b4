/** An in-process, single-node KRaft Kafka broker for standalone mode and tests. */
package dev.switchboard.kafka.embedded;
