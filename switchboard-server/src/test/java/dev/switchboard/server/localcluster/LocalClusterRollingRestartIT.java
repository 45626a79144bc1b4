package dev.switchboard.server.localcluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.server.SwitchboardProcess;
import dev.switchboard.testkit.AmqpExtension;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard cluster restart --role all} on a running local cluster (1 shard x 2 backends x 2 API nodes,
 * every node its own JVM) while an SDK publisher with a writer id and an SDK subscriber keep going: the clients
 * see no error, every acknowledged event is read back, every process was replaced (new pids, same node ids and
 * API URLs in cluster.json). The publisher writes until the restart has finished and at least {@value #EVENTS}
 * events were acknowledged, so the load spans the whole restart.
 */
class LocalClusterRollingRestartIT {
    private static final int EVENTS = 100_000;
    private static final int CHUNK = 250;
    /** Bounds the run on a fast machine, where the publisher might otherwise write for the whole restart. */
    private static final int MAX_EVENTS = 1_000_000;

    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    @TempDir
    Path workDir;

    @Test
    void everyProcessIsReplacedUnderLoadWithNoClientErrorAndNothingLost() throws Exception {
        URI shard = AMQP.newVirtualHost();
        try (RunningCluster cluster = RunningCluster.start(
                workDir, "--shards", "1", "--backends", "2", "--apis", "2", "--amqp", shard.toString())) {
            Map<String, Long> pidsBefore = pids(cluster);
            List<String> urlsBefore =
                    cluster.apiUrls().stream().map(URI::toString).toList();
            List<Throwable> clientErrors = Collections.synchronizedList(new ArrayList<>());
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            Set<String> read = ConcurrentHashMap.newKeySet();
            AtomicBoolean restartDone = new AtomicBoolean();
            String topic = "rolling";

            try (SwitchboardClient client = SwitchboardClient.builder()
                    .urls(cluster.apiUrls())
                    .token(cluster.devToken())
                    .build()) {
                // Given a publisher and a subscriber at work (a writer's allocation creates the topic first)
                client.publisher(PublisherOptions.builder().topic(topic).build())
                        .close();
                CompletableFuture<Void> writing =
                        CompletableFuture.runAsync(() -> write(client, topic, acknowledged, restartDone, clientErrors));
                CompletableFuture<Void> reading = CompletableFuture.runAsync(
                        () -> readUntil(client, topic, read, acknowledged, writing, clientErrors));
                org.awaitility.Awaitility.await()
                        .atMost(Duration.ofMinutes(2))
                        .until(() -> read.size() >= CHUNK || !clientErrors.isEmpty());

                // When every process is restarted, one at a time
                SwitchboardProcess.Result restart = SwitchboardProcess.run(
                        workDir,
                        new byte[0],
                        600,
                        "cluster",
                        "restart",
                        "--data-dir",
                        cluster.dataDir().toString(),
                        "--role",
                        "all");
                restartDone.set(true);

                // Then it said so for every node, and replaced each (new pid, same node id and URL)
                assertThat(restart.exitCode()).as(restart.stderr()).isZero();
                assertThat(restart.stderr())
                        .contains("restarted backend-s0-1", "restarted backend-s0-2", "restarted api-1")
                        .contains("restarted api-2")
                        .endsWith("done\n");
                Map<String, Long> pidsAfter = pids(cluster);
                assertThat(pidsAfter.keySet()).isEqualTo(pidsBefore.keySet());
                pidsBefore.forEach((node, pid) ->
                        assertThat(pidsAfter.get(node)).as(node + " replaced").isNotEqualTo(pid));
                assertThat(apiUrls(cluster)).isEqualTo(urlsBefore);

                // And the clients saw no error, and read back every event acknowledged to the writer
                writing.get(10, TimeUnit.MINUTES);
                reading.get(10, TimeUnit.MINUTES);
                assertThat(clientErrors).isEmpty();
                assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(EVENTS);
                assertThat(read).containsAll(acknowledged);
            }
        }
    }

    private static void write(
            SwitchboardClient client,
            String topic,
            Set<String> acknowledged,
            AtomicBoolean restartDone,
            List<Throwable> errors) {
        try (Publisher publisher = client.publisher(PublisherOptions.builder()
                .topic(topic)
                .writerId("rolling-writer")
                .chunkEvents(CHUNK)
                .build())) {
            int next = 0;
            while ((!restartDone.get() || acknowledged.size() < EVENTS) && next < MAX_EVENTS) {
                int from = next;
                List<String> chunk = IntStream.range(from, from + CHUNK)
                        .mapToObj(i -> "e" + i)
                        .toList();
                publisher.publish(chunk.stream().map(Event::of).toList());
                acknowledged.addAll(chunk);
                next += CHUNK;
            }
        } catch (RuntimeException e) {
            errors.add(e);
        }
    }

    private static void readUntil(
            SwitchboardClient client,
            String topic,
            Set<String> read,
            Set<String> acknowledged,
            CompletableFuture<Void> writing,
            List<Throwable> errors) {
        try (Subscriber subscriber = client.subscriber(SubscriberOptions.builder()
                .topic(topic)
                .start(StartPosition.earliest())
                .build())) {
            while (errors.isEmpty() && !(writing.isDone() && read.containsAll(acknowledged))) {
                Batch batch = subscriber.poll(1000, Duration.ofSeconds(1));
                batch.events().forEach(event -> read.add(event.payloadAsString()));
                subscriber.ack(batch);
            }
        } catch (RuntimeException e) {
            errors.add(e);
        }
    }

    /** Node id -> pid of every backend and API node, as cluster.json says now. */
    private static Map<String, Long> pids(RunningCluster cluster) throws Exception {
        Map<String, Long> pids = new HashMap<>();
        for (JsonNode process : clusterFile(cluster).get("processes")) {
            if (process.hasNonNull("node-id")) {
                pids.put(process.get("node-id").asText(), process.get("pid").asLong());
            }
        }
        return pids;
    }

    private static List<String> apiUrls(RunningCluster cluster) throws Exception {
        List<String> urls = new ArrayList<>();
        clusterFile(cluster).get("api-urls").forEach(url -> urls.add(url.asText()));
        return urls;
    }

    private static JsonNode clusterFile(RunningCluster cluster) throws Exception {
        return new ObjectMapper()
                .readTree(cluster.dataDir().resolve("cluster.json").toFile());
    }
}
