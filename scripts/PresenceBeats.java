// Measures the presence traffic of one shard of a running cluster: binds a queue of its own to the shard's
// switchboard.presence fanout exchange (as every API node does), counts the beats for SECONDS and reports beats per
// second, the nodes that sent them and the body sizes. Every API node receives each beat once, so a shard's broker
// delivers (beats/s x API nodes) presence messages per second; docs/scaling.md uses these figures.
//
//   cp="switchboard-server/target/switchboard/switchboard.jar:switchboard-server/target/switchboard/lib/*"
//   java -cp "$cp" scripts/PresenceBeats.java amqp://guest:guest@127.0.0.1:5672/<shard-virtual-host> 10
//
// (local-cluster's cluster.json lists each shard's URI with the password masked.)
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

public class PresenceBeats {
    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: PresenceBeats <amqp-uri-of-a-shard> [seconds]");
            System.exit(2);
        }
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(args[0]);
        AtomicLong beats = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        LongAccumulator smallest = new LongAccumulator(Math::min, Long.MAX_VALUE);
        LongAccumulator largest = new LongAccumulator(Math::max, 0);
        Map<String, AtomicLong> perNode = new ConcurrentHashMap<>();
        try (Connection connection = factory.newConnection("presence-beats");
                Channel channel = connection.createChannel()) {
            // declared as the nodes declare it (non-durable fanout), so this may start before the cluster does
            channel.exchangeDeclare("switchboard.presence", "fanout", false, false, null);
            String queue = channel.queueDeclare().getQueue(); // server-named, exclusive, auto-delete
            channel.queueBind(queue, "switchboard.presence", "");
            long start = System.nanoTime();
            channel.basicConsume(queue, true, (tag, delivery) -> {
                byte[] body = delivery.getBody();
                beats.incrementAndGet();
                bytes.addAndGet(body.length);
                smallest.accumulate(body.length);
                largest.accumulate(body.length);
                String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
                String node = text.replaceAll(".*(?:^|;)node=([^;]*).*", "$1");
                perNode.computeIfAbsent(node, n -> new AtomicLong()).incrementAndGet();
                if (beats.get() == 1) {
                    System.out.println("example beat (" + body.length + " bytes): " + text);
                }
            }, tag -> {});
            Thread.sleep(seconds * 1000L);
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "beats=%d in %.1f s (%.2f/s) from nodes=%d %s; body bytes min=%d max=%d mean=%.0f%n",
                    beats.get(),
                    elapsed,
                    beats.get() / elapsed,
                    perNode.size(),
                    new TreeMap<>(perNode),
                    beats.get() == 0 ? 0 : smallest.get(),
                    largest.get(),
                    beats.get() == 0 ? 0.0 : (double) bytes.get() / beats.get());
        }
    }
}
