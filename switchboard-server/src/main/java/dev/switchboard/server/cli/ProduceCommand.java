package dev.switchboard.server.cli;

import dev.switchboard.client.Event;
import dev.switchboard.client.Guarantee;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientException;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Reads standard input, one event per line, and publishes the lines; exits once all are committed. An outage
 * shorter than the retry budget is ridden out; a longer one fails with the cause and how many lines were
 * committed (always the first ones).
 *
 * <p>With {@code --writer-id} the input is cut into chunks the same way on every run: chunk {@code n} of the
 * writer holds lines {@code (n-1)*batch+1 .. n*batch} (after {@code --skip}), one publish each
 * ({@link PublisherOptions#oneChunkPerPublish()}). A re-run of the same input with the same writer id and
 * {@code --batch} learns from the writer's durable state which chunks Kafka holds
 * ({@link Publisher#startedAfterChunk()}) and publishes only the lines after them. Without a writer id, a re-run
 * uses {@code --skip} with the count the failed run printed.
 *
 * <p>{@code --writer-id} implies exactly-once: only the writer's transactional producer lets a re-run fence the
 * failed run, so that a chunk whose commit was in doubt when it died cannot land after the re-run read the
 * writer's state and be stored a second time. At-least-once has no such fence, so it is not offered with a writer
 * id; {@code --exactly-once} says the same thing explicitly and still needs {@code --writer-id}.
 */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = "Publish standard input, one event per line (UTF-8), to a topic.")
public final class ProduceCommand implements Callable<Integer> {

    @Option(names = "--topic", required = true, paramLabel = "T", description = "topic to publish to")
    String topic;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(names = "--batch", paramLabel = "N", description = "events per chunk (default: ${DEFAULT-VALUE})")
    int batch = 500;

    @Option(
            names = "--writer-id",
            paramLabel = "ID",
            description = "stable writer id naming this input: a re-run with the same input, id and --batch publishes"
                    + " only the lines Kafka does not hold yet, each line exactly once (implies --exactly-once;"
                    + " default: a random id, at-least-once)")
    @Nullable
    String writerId;

    @Option(
            names = "--skip",
            paramLabel = "N",
            description = "skip the first N lines (without --writer-id: those a failed run reported committed)")
    long skip;

    @Option(
            names = "--retry-budget",
            paramLabel = "DURATION",
            description = "how long to ride out an outage before failing, e.g. 30s, 5m (default: 2m)")
    @Nullable
    String retryBudget;

    @Option(
            names = "--exactly-once",
            description = "store each event exactly once, also across backend failures and re-runs (needs"
                    + " --writer-id, which implies it)")
    boolean exactlyOnce;

    /** Where the lines come from: standard input, or a test's stream. */
    InputStream input = System.in;

    @Override
    public Integer call() throws Exception {
        if (batch < 1) {
            throw usage("--batch must be at least 1");
        }
        if (skip < 0) {
            throw usage("--skip must not be negative");
        }
        if (exactlyOnce && writerId == null) {
            throw usage(
                    "--exactly-once needs --writer-id: the writer id is what a re-run continues without duplicates");
        }
        PublisherOptions.Builder options = PublisherOptions.builder()
                .topic(topic)
                .chunkEvents(batch)
                .guarantee(exactlyOnce() ? Guarantee.EXACTLY_ONCE : Guarantee.AT_LEAST_ONCE);
        if (writerId != null) {
            options.writerId(writerId).oneChunkPerPublish(true);
        }
        if (retryBudget != null) {
            options.retryBudget(duration(retryBudget));
        }
        long count = 0;
        long resumed = 0;
        try (SwitchboardClient switchboard = client.connect();
                BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8))) {
            Publisher publisher = switchboard.publisher(options.build());
            resumed = writerId == null ? 0 : linesOf(publisher.startedAfterChunk());
            try {
                long skipped = 0;
                long leaveOut = resumed > Long.MAX_VALUE - skip ? Long.MAX_VALUE : skip + resumed;
                String line = in.readLine();
                for (; line != null && skipped < leaveOut; line = in.readLine()) {
                    skipped++;
                }
                if (resumed > 0) {
                    resumed = Math.max(0, skipped - skip); // fewer when the input ended among them
                    Optional<String> mismatch = resumeMismatch(publisher.startedAfterChunk(), resumed, line == null);
                    if (mismatch.isPresent()) {
                        closeQuietly(publisher);
                        throw new ProduceFailedException(mismatch.get());
                    }
                    System.err.println("writer " + writerId + " has committed " + publisher.startedAfterChunk()
                            + " chunks of " + batch + " lines before: leaving out the first " + resumed + " lines"
                            + (skip > 0 ? " after the " + skip + " skipped ones" : "")
                            + (line == null ? "; the input has no more" : ""));
                }
                for (; line != null; line = in.readLine()) {
                    publisher.send(Event.of(line));
                    count++;
                }
                publisher.flush();
                publisher.close();
            } catch (SwitchboardClientException e) {
                long committed = publisher.committedEvents();
                closeQuietly(publisher);
                throw new ProduceFailedException(failure(e, resumed + committed, publisher.writerId()), e);
            }
        }
        System.err.println("produced " + count + " events to " + topic
                + (resumed > 0 ? " (after the " + resumed + " lines the writer had committed before)" : ""));
        return 0;
    }

    /**
     * Exactly-once whenever a writer id is given: a re-run continues the writer, and only the exactly-once fence
     * keeps a chunk the failed run left in doubt from landing after the re-run read the state (a duplicate).
     */
    boolean exactlyOnce() {
        return exactlyOnce || writerId != null;
    }

    /** How many lines the writer's chunks up to {@code chunk} hold: {@code batch} each (saturating). */
    private long linesOf(long chunk) {
        return chunk > Long.MAX_VALUE / batch ? Long.MAX_VALUE : chunk * batch;
    }

    /**
     * Why a re-run must not go on: its input ends before the writer's last committed chunk even starts, so it is
     * not the input this writer id published (or --batch differs), and going on would lose or repeat lines.
     */
    private Optional<String> resumeMismatch(long chunks, long skippedLines, boolean inputEnded) {
        if (!inputEnded || skippedLines > linesOf(chunks - 1)) {
            return Optional.empty();
        }
        return Optional.of("writer " + writerId + " has committed " + chunks + " chunks of --batch " + batch + " ("
                + linesOf(chunks) + " lines) to " + topic + ", but the input"
                + (skip > 0 ? " after the " + skip + " skipped lines" : "") + " has only " + skippedLines
                + " lines: is this the input that writer id published, with the same --batch?");
    }

    /**
     * The message of a failed run: the cause, what was committed, and how to publish the rest. {@code committed}
     * counts the lines after {@code --skip} that are in Kafka (with a writer id, those of its earlier runs too).
     */
    String failure(SwitchboardClientException e, long committed, String writer) {
        long lines = skip + committed;
        String what =
                cause(e) + " (" + e.code() + ": " + e.getMessage() + "); " + committed + " events were committed to "
                        + topic + (skip > 0 ? " after the " + skip + " skipped lines" : "") + " (writer " + writer
                        + "), so the first " + lines + " lines are in; ";
        if (writerId == null) {
            return what + "re-run with --skip " + lines + " to publish the rest";
        }
        return what + "re-run the same command (same input, --writer-id " + writerId + ", --batch " + batch
                + (skip > 0 ? ", --skip " + skip : "") + "): it publishes only what Kafka does not hold, each line"
                + " exactly once (a commit still in doubt is either in Kafka or aborted when the re-run starts)";
    }

    /** Names the cause in the terms of someone running the command. */
    static String cause(SwitchboardClientException e) {
        String message = e.getMessage().toLowerCase(Locale.ROOT);
        if (message.contains("commit to kafka timed out")) {
            return "the backend's commit to Kafka timed out (the last chunks may or may not be committed)";
        }
        if (message.contains("kafka")) {
            return "Kafka is unavailable";
        }
        if (message.contains("broker")) {
            return "the shard's AMQP broker is unreachable";
        }
        if (message.contains("no backend node")) {
            return "no backend node takes sessions";
        }
        if (message.contains("the backend did not answer in time")) {
            return "a backend node did not answer in time";
        }
        if (message.contains("cannot connect") || message.contains("no answer from")) {
            return "no API node answers";
        }
        return "publishing failed";
    }

    private static void closeQuietly(Publisher publisher) {
        try {
            publisher.close();
        } catch (RuntimeException ignored) {
            // the same failure again: already reported
        }
    }

    private picocli.CommandLine.ParameterException usage(String message) {
        return new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), message);
    }

    private Duration duration(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            if (value.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            return Duration.parse(text.strip());
        } catch (RuntimeException e) {
            throw usage("--retry-budget: expected a duration such as 30s, 5m or PT2M, got: " + text);
        }
    }

    /** A produce run that failed after publishing part of its input; the message says what and how to go on. */
    static final class ProduceFailedException extends RuntimeException {
        ProduceFailedException(String message, Throwable cause) {
            super(message, cause);
        }

        ProduceFailedException(String message) {
            super(message);
        }
    }
}
