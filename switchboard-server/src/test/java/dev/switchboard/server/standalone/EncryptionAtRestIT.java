package dev.switchboard.server.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.Batch;
import dev.switchboard.client.Event;
import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.ReceivedEvent;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import dev.switchboard.client.SwitchboardClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Standalone encrypts at rest by default: what a client produced is nowhere in the Kafka log files. */
class EncryptionAtRestIT {
    @TempDir
    Path dataDir;

    @Test
    void aProducedStringIsNowhereInTheKafkaFilesButItsKeyIs() throws Exception {
        // Given a standalone on its defaults, and a string that appears nowhere else
        String secret = "secret-" + UUID.randomUUID();
        String key = "clear-key-" + UUID.randomUUID();
        List<ReceivedEvent> received = new ArrayList<>();
        try (Standalone standalone = Standalone.start(dataDir, 0);
                SwitchboardClient client = SwitchboardClient.builder()
                        .url(standalone.uri())
                        .token(Files.readString(dataDir.resolve("dev-token")).strip())
                        .build()) {
            // When it is produced as payload and header value, and read back
            try (Publisher publisher = client.publisher(PublisherOptions.of("at-rest"))) {
                publisher.publish(List.of(Event.builder()
                        .key(key)
                        .payload(secret)
                        .header("note", secret)
                        .build()));
            }
            try (Subscriber subscriber = client.subscriber(SubscriberOptions.of("at-rest"))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (received.isEmpty() && System.nanoTime() < deadline) {
                    Batch batch = subscriber.poll(10, Duration.ofSeconds(1));
                    received.addAll(batch.events());
                    subscriber.ack(batch);
                }
            }
        }

        // Then the reader got it in clear, the key (clear by design) is in the log files, the string is not
        assertThat(received).extracting(ReceivedEvent::payloadAsString).containsExactly(secret);
        assertThat(received.get(0).headers().get("note"))
                .asString(StandardCharsets.UTF_8)
                .isEqualTo(secret);
        assertThat(filesContaining(dataDir.resolve("kafka"), key)).isNotEmpty();
        assertThat(filesContaining(dataDir.resolve("kafka"), secret)).isEmpty();
        assertThat(dataDir.resolve(StandaloneKeys.KEYSTORE)).isRegularFile();
    }

    private static List<Path> filesContaining(Path dir, String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> contains(read(file), needle))
                    .toList();
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return new byte[0]; // deleted while walking (segment cleanup)
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
