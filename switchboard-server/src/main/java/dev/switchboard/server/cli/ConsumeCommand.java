package dev.switchboard.server.cli;

import dev.switchboard.client.Batch;
import dev.switchboard.client.CursorStores;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.StartPosition;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Writes one event payload per line to standard output. A batch is acknowledged (and the cursor saved) only
 * after it was written and flushed, and a read never asks for more than --max still allows, so a consumer
 * never acknowledges more than it printed.
 */
@Command(
        name = "consume",
        mixinStandardHelpOptions = true,
        description = "Print the events of a topic, one payload per line.")
public final class ConsumeCommand implements Callable<Integer> {
    private static final int READ_SIZE = 1000;
    private static final Duration LONG_POLL = Duration.ofSeconds(5);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--topic", required = true, paramLabel = "T", description = "topic to read")
    String topic;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Option(
            names = "--from",
            paramLabel = "earliest|latest",
            description = "where to start without a saved cursor (default: ${DEFAULT-VALUE})")
    String from = "earliest";

    @Option(
            names = "--cursor-file",
            paramLabel = "F",
            description = "resume from the cursor in F, and save it there after every acknowledged batch")
    @Nullable
    Path cursorFile;

    @Option(names = "--max", paramLabel = "N", description = "stop after N events")
    long max = Long.MAX_VALUE;

    @Option(names = "--idle-exit-ms", paramLabel = "MS", description = "stop after MS milliseconds without events")
    long idleExitMs = -1;

    @Override
    public Integer call() throws IOException {
        StartPosition start = parseFrom();
        if (max < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max must not be negative");
        }
        SubscriberOptions.Builder options =
                SubscriberOptions.builder().topic(topic).start(start);
        if (cursorFile != null) {
            options.cursorStore(CursorStores.file(cursorFile));
        }
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        try (SwitchboardClient switchboard = client.connect();
                Subscriber subscriber = switchboard.subscriber(options.build())) {
            consume(subscriber, out);
        }
        return 0;
    }

    private void consume(Subscriber subscriber, OutputStream out) throws IOException {
        long remaining = max;
        long lastEventAt = System.nanoTime();
        while (remaining > 0) {
            Duration wait = idleExitMs >= 0
                    ? Duration.ofMillis(Math.max(1, Math.min(LONG_POLL.toMillis(), idleLeftMs(lastEventAt))))
                    : LONG_POLL;
            Batch batch = subscriber.poll((int) Math.min(READ_SIZE, remaining), wait);
            if (batch.isEmpty()) {
                if (idleExitMs >= 0 && idleLeftMs(lastEventAt) <= 0) {
                    return;
                }
                continue;
            }
            for (ReceivedEvent event : batch.events()) {
                out.write(event.event().payload());
                out.write('\n');
            }
            out.flush(); // printed before acknowledged: an ack never covers an event the user did not get
            subscriber.ack(batch);
            remaining -= batch.size();
            lastEventAt = System.nanoTime();
        }
    }

    private long idleLeftMs(long lastEventAt) {
        return idleExitMs - (System.nanoTime() - lastEventAt) / 1_000_000;
    }

    private StartPosition parseFrom() {
        return switch (from) {
            case "earliest" -> StartPosition.earliest();
            case "latest" -> StartPosition.latest();
            default ->
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--from must be earliest or latest, got: " + from);
        };
    }
}
