package dev.switchboard.server.cli;

import dev.switchboard.client.Event;
import dev.switchboard.client.Guarantee;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Reads standard input, one event per line, and publishes the lines; exits once all are committed. An outage
 * shorter than the retry budget is ridden out; a longer one fails with the cause and how many lines were
 * committed (always the first ones), so a re-run with {@code --skip} publishes the rest.
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

    @Option(names = "--writer-id", paramLabel = "ID", description = "stable writer id (default: a random one)")
    String writerId;

    @Option(
            names = "--skip",
            paramLabel = "N",
            description = "skip the first N lines (those a failed run reported committed)")
    long skip;

    @Option(
            names = "--retry-budget",
            paramLabel = "DURATION",
            description = "how long to ride out an outage before failing, e.g. 30s, 5m (default: 2m)")
    String retryBudget;

    @Option(
            names = "--exactly-once",
            description = "store each event exactly once, also across backend failures (needs --writer-id)")
    boolean exactlyOnce;

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
                .guarantee(exactlyOnce ? Guarantee.EXACTLY_ONCE : Guarantee.AT_LEAST_ONCE);
        if (writerId != null) {
            options.writerId(writerId);
        }
        if (retryBudget != null) {
            options.retryBudget(duration(retryBudget));
        }
        long count = 0;
        try (SwitchboardClient switchboard = client.connect();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            Publisher publisher = switchboard.publisher(options.build());
            try {
                long skipped = 0;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (skipped < skip) {
                        skipped++;
                        continue;
                    }
                    publisher.send(Event.of(line));
                    count++;
                }
                publisher.flush();
                publisher.close();
            } catch (SwitchboardClientException e) {
                long committed = publisher.committedEvents();
                closeQuietly(publisher);
                throw new ProduceFailedException(failure(e, committed, publisher.writerId()), e);
            }
        }
        System.err.println("produced " + count + " events to " + topic);
        return 0;
    }

    /** The message of a failed run: the cause, what was committed, and how to publish the rest. */
    String failure(SwitchboardClientException e, long committed, String writer) {
        long lines = skip + committed;
        String resume = writerId == null
                ? "re-run with --skip " + lines + " to publish the rest"
                : "re-run with --writer-id " + writerId + " --skip " + lines + " to publish the rest";
        return cause(e) + " (" + e.code() + ": " + e.getMessage() + "); " + committed + " events were committed to "
                + topic + (skip > 0 ? " after the " + skip + " skipped lines" : "") + " (writer " + writer
                + "), so the first " + lines + " lines are in; " + resume;
    }

    /** Names the cause in the terms of someone running the command. */
    static String cause(SwitchboardClientException e) {
        String message = e.getMessage().toLowerCase(Locale.ROOT);
        if (message.contains("kafka")) {
            return "Kafka is unavailable";
        }
        if (message.contains("broker")) {
            return "the shard's AMQP broker is unreachable";
        }
        if (message.contains("no backend node")) {
            return "no backend node takes sessions";
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
    }
}
