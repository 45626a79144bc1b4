package dev.switchboard.backend.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drain and spill: at the drain deadline, writes the chunks that commits wait for and Kafka has not acknowledged
 * to a journal in {@code <data-dir>/spill/} (forced to disk) before their commits answer SPILLED; when the node
 * starts again, publishes every journal in order, before the node takes any session.
 *
 * <p>Re-injection skips a chunk the writer ledger already counts committed (for writers whose committed state is
 * durable, that is what keeps a re-injected chunk from being stored twice). A journal whose tail is damaged is
 * re-injected up to the damage, reported at ERROR and kept, renamed {@code *.damaged}, for a human.
 */
public final class Spiller {
    private static final Logger LOGGER = LoggerFactory.getLogger(Spiller.class);
    private static final String SUFFIX = ".journal";

    private Spiller() {}

    /** Where a node with this data dir keeps its spill journals. */
    public static Path journalDir(Path dataDir) {
        return dataDir.resolve("spill");
    }

    /**
     * Spills every write session's unacknowledged, awaited chunks; call after the producer closed (so every
     * publish has an outcome). Returns how many chunks went to the journal. Waiting commits answer either way.
     */
    public static int spill(SessionRegistry registry, Path dataDir, String nodeId, Duration timeout) {
        List<WriteSession> writers = registry.all().stream()
                .filter(WriteSession.class::isInstance)
                .map(WriteSession.class::cast)
                .toList();
        Map<WriteSession, List<SpillJournal.Chunk>> held = new LinkedHashMap<>();
        try {
            for (WriteSession writer : writers) {
                List<SpillJournal.Chunk> chunks = await(writer.onQueue(writer::unacknowledged), timeout, List.of());
                if (!chunks.isEmpty()) {
                    held.put(writer, chunks);
                }
            }
            List<SpillJournal.Chunk> all =
                    held.values().stream().flatMap(List::stream).toList();
            if (all.isEmpty()) {
                return 0;
            }
            Path file = journalDir(dataDir).resolve("spill-" + System.currentTimeMillis() + "-" + nodeId + SUFFIX);
            try {
                SpillJournal.write(file, all);
            } catch (IOException | RuntimeException e) {
                LOGGER.error(
                        "spill journal not written; those commits answer UNAVAILABLE and clients resend file={} chunks={}",
                        file,
                        all.size(),
                        e);
                return 0;
            }
            held.forEach((writer, chunks) -> await(
                    writer.onQueue(() -> {
                        writer.spilled(chunks.getLast().seq());
                        return true;
                    }),
                    timeout,
                    false));
            LOGGER.warn(
                    "spilled what Kafka had not acknowledged by the drain deadline node={} file={} chunks={} writers={}",
                    nodeId,
                    file,
                    all.size(),
                    held.size());
            return all.size();
        } finally {
            writers.forEach(WriteSession::spillFinished);
        }
    }

    /**
     * Publishes every spill journal under {@code dataDir}, oldest first, each chunk in order, waiting for Kafka
     * (retrying every {@code retry} while it is unavailable); deletes a journal once all of it is acknowledged.
     * Returns how many chunks were published.
     */
    public static int reinject(Path dataDir, NodeProducer publisher, WriterLedger ledger, Duration retry)
            throws InterruptedException {
        Path dir = journalDir(dataDir);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> journals;
        try (Stream<Path> files = Files.list(dir)) {
            journals = files.filter(file -> file.getFileName().toString().endsWith(SUFFIX))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the spill journals in " + dir, e);
        }
        int published = 0;
        for (Path journal : journals) {
            published += reinjectOne(journal, publisher, ledger, retry);
        }
        return published;
    }

    private static int reinjectOne(Path journal, NodeProducer publisher, WriterLedger ledger, Duration retry)
            throws InterruptedException {
        SpillJournal.Contents contents;
        try {
            contents = SpillJournal.read(journal);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spill journal " + journal, e);
        }
        LOGGER.info(
                "re-injecting spill journal file={} chunks={}",
                journal,
                contents.chunks().size());
        int published = 0;
        for (SpillJournal.Chunk chunk : contents.chunks()) {
            if (ledger.lastCommitted(chunk.writerId()) >= chunk.seq()) {
                LOGGER.info("spilled chunk already committed, skipped writer={} seq={}", chunk.writerId(), chunk.seq());
                continue;
            }
            publishUntilAcknowledged(chunk, publisher, retry);
            ledger.committed(chunk.writerId(), chunk.seq());
            published++;
        }
        try {
            if (contents.problem().isPresent()) {
                Path kept = journal.resolveSibling(journal.getFileName() + ".damaged");
                Files.move(journal, kept, StandardCopyOption.REPLACE_EXISTING);
                LOGGER.error(
                        "spill journal damaged: its good prefix was re-injected, the rest is kept for inspection"
                                + " file={} problem={}",
                        kept,
                        contents.problem().get());
            } else {
                Files.delete(journal);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the re-injected spill journal " + journal, e);
        }
        LOGGER.info("spill journal re-injected file={} published={}", journal, published);
        return published;
    }

    private static void publishUntilAcknowledged(SpillJournal.Chunk chunk, NodeProducer publisher, Duration retry)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                publisher.publish(new ArrayList<>(chunk.records())).get();
                return;
            } catch (ExecutionException e) {
                LOGGER.warn(
                        "re-injecting a spilled chunk failed; retrying writer={} seq={} attempt={} cause={}",
                        chunk.writerId(),
                        chunk.seq(),
                        attempt,
                        String.valueOf(e.getCause()));
                Thread.sleep(retry.toMillis());
            }
        }
    }

    private static <T> T await(CompletableFuture<T> future, Duration timeout, T otherwise) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return otherwise;
        } catch (ExecutionException | TimeoutException e) {
            return otherwise;
        }
    }
}
