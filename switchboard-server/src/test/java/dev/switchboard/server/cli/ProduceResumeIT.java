package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.switchboard.client.Batch;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.kafka.embedded.EmbeddedKafka;
import dev.switchboard.server.SwitchboardProcess;
import dev.switchboard.server.standalone.Standalone;
import dev.switchboard.testkit.ThriftOverHttp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code produce --writer-id} fails mid-run (Kafka stopped under it, for longer than its retry budget; or the
 * packaged command killed with SIGKILL) and is run again on the same input: the re-run learns from the writer's
 * durable state which chunks Kafka holds and publishes only the lines after them, with the same chunk numbers, and
 * the writer id makes it exactly-once, so a chunk in doubt when the first run died is stored once too. Real Kafka
 * (the standalone's embedded broker, stopped and started again on its data), the real backend and API over HTTP;
 * events counted by {@code sb-id} and by line as a reader sees them.
 */
class ProduceResumeIT {
    private static final int LINES = 3000;
    private static final int BATCH = 100;
    /** Lines the first run reads before the test stops Kafka; the rest only afterwards. */
    private static final int BEFORE_OUTAGE = 1200;
    /** Lines the killed run gets (its input then stays open); it is killed once 1,000 of them are readable. */
    private static final int KILLED_AFTER = 1500;

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final Pattern COMMITTED = Pattern.compile("; (\\d+) events were committed to ");

    @TempDir
    Path dataDir;

    private Standalone standalone;
    private EmbeddedKafka restarted;
    private Process producer;

    @AfterEach
    void stop() {
        if (producer != null) {
            producer.destroyForcibly();
        }
        if (standalone != null) {
            standalone.close();
        }
        if (restarted != null) {
            restarted.close();
        }
    }

    @Test
    void aReRunWithTheWriterIdAloneStoresEveryLineOnceAlthoughACommitWasInDoubt() throws Exception {
        // --writer-id implies exactly-once: without it, a chunk in doubt when the first run died could land after the
        // re-run read the writer state and be stored twice
        Outcome outcome = failThenResume("resume-writer");

        // Then no line is lost and none is stored twice: each sb-id once, each line under one sb-id
        assertEveryLineOnce(outcome);
    }

    @Test
    void aReRunAfterTheProducerWasKilledMidRunStoresEveryLineOnce() throws Exception {
        String topic = "resume-killed";
        standalone = Standalone.start(dataDir, 0);
        ThriftOverHttp http = new ThriftOverHttp(standalone.uri());
        await().atMost(PATIENCE).until(() -> http.get("/health/ready").statusCode() == 200);

        // Given the packaged produce command, fed its input a few lines at a time, with commits going on
        List<String> args = new java.util.ArrayList<>(List.of("produce"));
        args.addAll(produceArgs(topic, "2m"));
        producer = SwitchboardProcess.command(dataDir, args.toArray(String[]::new))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Process first = producer;
        Thread feeder = Thread.ofVirtual().start(() -> feed(first.getOutputStream(), KILLED_AFTER));
        try (SwitchboardClient client = client();
                Subscriber reader = subscriberOnceTheTopicExists(client, topic)) {
            int[] read = {0};
            await().atMost(PATIENCE).until(() -> {
                Batch batch = reader.poll();
                read[0] += batch.size();
                reader.ack(batch);
                return read[0] >= 10 * BATCH;
            });
        }

        // When it is killed (SIGKILL) mid-run, its input still open, commits still going on
        assertThat(first.isAlive()).as("the first run is still producing").isTrue();
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        feeder.interrupt();

        // And the same command runs again on the whole input
        ProduceCommand again = command(topic, "2m");
        again.input = new ByteArrayInputStream(text(lines()));
        assertThat(again.call()).isZero();

        // Then every line is in the topic exactly once, under one sb-id
        assertEveryLineOnce(readAll(topic, 0));
    }

    private static void assertEveryLineOnce(Outcome outcome) {
        assertThat(outcome.payloadsById().keySet()).hasSize(LINES);
        assertThat(outcome.copiesById().values()).as("copies per sb-id").containsOnly(1);
        assertThat(Set.copyOf(outcome.payloadsById().values())).isEqualTo(Set.copyOf(lines()));
    }

    /**
     * Writes the first {@code count} lines of the input a few at a time, as a slow source would, and leaves the
     * stream open: the run waits for more until it is killed.
     */
    private static void feed(java.io.OutputStream stdin, int count) {
        List<String> some = lines().subList(0, count);
        try {
            for (int from = 0; from < some.size(); from += 5) {
                stdin.write(text(some.subList(from, Math.min(some.size(), from + 5))));
                stdin.flush();
                Thread.sleep(10); // pacing the source, so commits go on when the kill comes; nothing is timed
            }
        } catch (IOException | InterruptedException e) {
            // killed
        }
    }

    /**
     * Publishes {@link #LINES} lines to a fresh topic with a writer id; stops Kafka once the first chunks are
     * readable, so the run fails; starts Kafka again and runs the same command on the same input; reads back.
     */
    private Outcome failThenResume(String topic, String... extra) throws Exception {
        standalone = Standalone.start(dataDir, 0);
        ThriftOverHttp http = new ThriftOverHttp(standalone.uri());
        await().atMost(PATIENCE).until(() -> http.get("/health/ready").statusCode() == 200);

        // Given a produce run that has committed some of its input
        CountDownLatch outage = new CountDownLatch(1);
        ProduceCommand first = command(topic, "5s", extra);
        first.input = new SequenceInputStream(
                new ByteArrayInputStream(text(lines().subList(0, BEFORE_OUTAGE))),
                new Gate(outage, text(lines().subList(BEFORE_OUTAGE, LINES))));
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return first.call();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try (SwitchboardClient client = client();
                Subscriber reader = subscriberOnceTheTopicExists(client, topic)) {
            int[] read = {0};
            await().atMost(PATIENCE).until(() -> {
                Batch batch = reader.poll();
                read[0] += batch.size();
                reader.ack(batch);
                return read[0] >= 5 * BATCH;
            });
        }

        // When Kafka stops under it for longer than its retry budget
        standalone.kafka().close();
        outage.countDown();
        Throwable failure = catchThrowableOfType(
                java.util.concurrent.ExecutionException.class, () -> run.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));

        // Then it fails, saying how many events are in and to run the same command again
        assertThat(failure).isNotNull();
        assertThat(failure.getCause()).isInstanceOf(ProduceCommand.ProduceFailedException.class);
        String message = failure.getCause().getMessage();
        assertThat(message).contains("re-run the same command (same input, --writer-id " + topic + "-writer");
        Matcher committed = COMMITTED.matcher(message);
        assertThat(committed.find()).as(message).isTrue();
        long committedBeforeFailure = Long.parseLong(committed.group(1));

        // When Kafka is back and the same command runs on the same input
        restarted = EmbeddedKafka.start(dataDir.resolve("kafka"), 0);
        await().atMost(PATIENCE).until(() -> http.get("/health/ready").statusCode() == 200);
        ProduceCommand again = command(topic, "2m", extra);
        again.input = new ByteArrayInputStream(text(lines()));
        assertThat(again.call()).isZero();

        // Then the reader finds every line
        return readAll(topic, committedBeforeFailure);
    }

    private ProduceCommand command(String topic, String retryBudget, String... extra) {
        ProduceCommand command = new ProduceCommand();
        new CommandLine(command)
                .parseArgs(produceArgs(topic, retryBudget, extra).toArray(String[]::new));
        return command;
    }

    private List<String> produceArgs(String topic, String retryBudget, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--topic",
                topic,
                "--url",
                standalone.uri().toString(),
                "--token-file",
                dataDir.resolve("dev-token").toString(),
                "--writer-id",
                topic + "-writer",
                "--batch",
                Integer.toString(BATCH),
                "--retry-budget",
                retryBudget));
        args.addAll(List.of(extra));
        return args;
    }

    /** Reads the topic from the start until every line arrived and a poll finds nothing more. */
    private Outcome readAll(String topic, long committedBeforeFailure) {
        Map<String, String> payloads = new HashMap<>();
        Map<String, Integer> copies = new HashMap<>();
        Set<String> lines = new HashSet<>();
        try (SwitchboardClient client = client();
                Subscriber reader = client.subscriber(options(topic))) {
            await().atMost(PATIENCE).until(() -> {
                Batch batch = reader.poll(1000, Duration.ofSeconds(2));
                for (ReceivedEvent event : batch.events()) {
                    String id = event.id().orElseThrow();
                    String payload = event.payloadAsString();
                    String before = payloads.putIfAbsent(id, payload);
                    assertThat(before == null || before.equals(payload))
                            .as("sb-id %s names one line", id)
                            .isTrue();
                    copies.merge(id, 1, Integer::sum);
                    lines.add(payload);
                }
                reader.ack(batch);
                return lines.size() == LINES && batch.isEmpty();
            });
        }
        return new Outcome(payloads, copies, committedBeforeFailure);
    }

    private record Outcome(
            Map<String, String> payloadsById, Map<String, Integer> copiesById, long committedBeforeFailure) {}

    private SwitchboardClient client() {
        try {
            return SwitchboardClient.builder()
                    .url(standalone.uri())
                    .token(Files.readString(dataDir.resolve("dev-token")).strip())
                    .build();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A subscriber, once the run under test has created the topic (a reader never creates one). */
    private static Subscriber subscriberOnceTheTopicExists(SwitchboardClient client, String topic) {
        java.util.concurrent.atomic.AtomicReference<Subscriber> subscriber =
                new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(PATIENCE)
                .ignoreExceptionsInstanceOf(SwitchboardClientException.class)
                .until(() -> {
                    subscriber.set(client.subscriber(options(topic)));
                    return true;
                });
        return subscriber.get();
    }

    private static SubscriberOptions options(String topic) {
        return SubscriberOptions.builder()
                .topic(topic)
                .start(StartPosition.earliest())
                .build();
    }

    private static List<String> lines() {
        return IntStream.range(0, LINES).mapToObj(i -> "line-" + i).toList();
    }

    private static int lineNumber(String payload) {
        return Integer.parseInt(payload.substring("line-".length()));
    }

    private static byte[] text(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The rest of the input, held back until the outage began. */
    private static final class Gate extends InputStream {
        private final CountDownLatch open;
        private final InputStream rest;

        Gate(CountDownLatch open, byte[] rest) {
            this.open = open;
            this.rest = new ByteArrayInputStream(rest);
        }

        @Override
        public int read() throws IOException {
            awaitOpen();
            return rest.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            awaitOpen();
            return rest.read(buffer, offset, length);
        }

        private void awaitOpen() throws IOException {
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }
}
