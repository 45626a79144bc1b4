package dev.switchboard.bench;

import java.lang.management.ManagementFactory;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * The Fetch requests from consumers that a Kafka broker in this JVM has served: its {@code RequestsPerSec} meter
 * for {@code FetchConsumer}, one MBean per request version, summed. Only meaningful with {@code --standalone},
 * whose embedded broker registers its metrics in this process's platform MBean server. Tail mode (and
 * {@code scripts/FanOut.java}) reads it to show whether every tailing session costs Kafka fetches of its own.
 */
public final class BrokerFetches {
    private static final ObjectName METERS =
            objectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=FetchConsumer,*");

    private BrokerFetches() {}

    /** The count so far; 0 before the broker served any. A meter appears on its version's first request. */
    public static long count() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        long total = 0;
        for (ObjectName meter : server.queryNames(METERS, null)) {
            try {
                total += ((Number) server.getAttribute(meter, "Count")).longValue();
            } catch (InstanceNotFoundException e) {
                // unregistered meanwhile (the broker is stopping)
            } catch (JMException e) {
                throw new IllegalStateException("cannot read " + meter + ": " + e.getMessage(), e);
            }
        }
        return total;
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(name, e);
        }
    }
}
