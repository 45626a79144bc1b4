package dev.switchboard.backend;

import java.lang.management.ManagementFactory;
import java.util.List;
import javax.management.JMException;
import javax.management.ObjectName;

/** The read sessions' own Kafka consumers open in this JVM, by their metrics MBeans (not the keys topic's). */
final class ReaderConsumers {
    private ReaderConsumers() {}

    static List<ObjectName> open() throws JMException {
        return ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("kafka.consumer:type=consumer-metrics,client-id=*-reader-*"), null)
                .stream()
                .filter(name -> !name.getKeyProperty("client-id").endsWith("-keys"))
                .toList();
    }
}
