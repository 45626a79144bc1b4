package dev.switchboard.server.cli;

import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.SwitchboardClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Reads standard input, one event per line, and publishes the lines; exits once all are committed. */
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

    @Override
    public Integer call() throws Exception {
        if (batch < 1) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this), "--batch must be at least 1");
        }
        PublisherOptions.Builder options =
                PublisherOptions.builder().topic(topic).chunkEvents(batch);
        if (writerId != null) {
            options.writerId(writerId);
        }
        long count = 0;
        try (SwitchboardClient switchboard = client.connect();
                Publisher publisher = switchboard.publisher(options.build());
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                publisher.send(Event.of(line));
                count++;
            }
            publisher.flush();
        }
        System.err.println("produced " + count + " events to " + topic);
        return 0;
    }
}
