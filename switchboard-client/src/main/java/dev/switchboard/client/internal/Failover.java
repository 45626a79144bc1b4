package dev.switchboard.client.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One short INFO line per failover (a session moved to a new one), on its own logger
 * ({@value #LOGGER_NAME}), so a tool can show just these lines while the rest of the SDK's logs stay hidden.
 */
final class Failover {
    static final String LOGGER_NAME = "dev.switchboard.client.failover";
    private static final Logger LOGGER = LoggerFactory.getLogger(LOGGER_NAME);

    private Failover() {}

    static void writer(String topic, String cause, int resending) {
        LOGGER.info(
                "failover: topic {}: writing continues on a new session after {}; resending {} chunk(s)",
                topic,
                cause,
                resending);
    }

    static void reader(String topic, String cause) {
        LOGGER.info(
                "failover: topic {}: reading continues on a new session after {} from the last cursor", topic, cause);
    }
}
