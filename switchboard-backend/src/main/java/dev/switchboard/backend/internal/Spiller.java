package dev.switchboard.backend.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drain and spill: at the drain deadline, writes the chunks that commits wait for and Kafka has not acknowledged
 * to a journal in {@code <data-dir>/spill/} (forced to disk) before their commits answer SPILLED; when the node
 * starts again, publishes every journal in order, before the node takes any session.
 *
 * <p>Re-injection treats each chunk as a commit of its writer: skipped when the writer's durable state
 * ({@link WriterStates}) counts it committed, else published and followed by the writer state record, so a writer
 * answered SPILLED is, once its chunks are in Kafka, told the same seq by every node. A journal whose tail is
 * re-injected up to the damage, reported at ERROR and kept, renamed {@code *.damaged}, for a human.
 */
public final class Spiller {
    private static final Logger LOGGER = LoggerFactory.getLogger(Spiller.class);
    private static final String SUFFIX = ".journal";
    /** How many times a re-injected chunk's state record is written again over a commit racing it. */
    static final int STATE_ROUNDS = 5;

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
     *
     * <p>Each chunk is handled as a commit of its writer: skipped when the writer's durable state already counts
     * it committed (the client resent and committed it elsewhere, or an earlier re-injection got this far), else
     * its records are published and, once Kafka acknowledged them, the writer state record saying the writer
     * committed up to it; the next chunk only after that. So the durable state is never ahead of Kafka, reaches
     * the chunk's seq, and the writer, which was answered SPILLED for it, allocates anywhere afterwards.
     */
    public static int reinject(Path dataDir, NodeProducer publisher, WriterStates states, Duration retry)
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
            published += reinjectOne(journal, publisher, states, retry);
        }
        return published;
    }

    private static int reinjectOne(Path journal, NodeProducer publisher, WriterStates states, Duration retry)
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
            if (reinjectChunk(chunk, publisher, states, retry)) {
                published++;
            }
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

    /** One chunk as a commit of its writer (see {@link #reinject}); false when it was already committed. */
    private static boolean reinjectChunk(
            SpillJournal.Chunk chunk, NodeProducer publisher, WriterStates states, Duration retry)
            throws InterruptedException {
        Optional<WriterKey> key = chunk.key();
        if (key.isEmpty()) {
            // a version 1 journal does not say whose chunk it is: published as it is, no writer state to move
            publishUntilAcknowledged(chunk, "chunk", chunk.records(), publisher, retry);
            return true;
        }
        OptionalLong committed = durableState(key.get(), chunk, states, retry);
        if (committed.isPresent() && committed.getAsLong() >= chunk.seq()) {
            LOGGER.info(
                    "spilled chunk already committed, skipped writer={} seq={} committed={}",
                    chunk.writerId(),
                    chunk.seq(),
                    committed.getAsLong());
            return false;
        }
        publishUntilAcknowledged(chunk, "chunk", chunk.records(), publisher, retry);
        if (committed.isPresent()) {
            publishState(key.get(), chunk, publisher, states, retry);
        }
        return true;
    }

    /**
     * Writes the writer state record for a re-injected chunk, never below a commit the writer made meanwhile: the
     * writer may be committing on another node (it resent the chunk there), whose record can land between this
     * node's read of the state and its own record, and the compacted topic keeps only the last. So the record is
     * made from what the node knows just before it is sent ({@link WriterStates#record}), and afterwards the state
     * is read again, up to the end of the partition (past this record): when it holds a higher seq, that one is
     * written again, until this node's last record is not below anything before it (at most
     * {@link #STATE_ROUNDS} rounds; a writer committing all the while writes higher records after it anyway).
     */
    private static void publishState(
            WriterKey key, SpillJournal.Chunk chunk, NodeProducer publisher, WriterStates states, Duration retry)
            throws InterruptedException {
        long seq = chunk.seq();
        for (int round = 1; round <= STATE_ROUNDS; round++) {
            ProducerRecord<byte[], byte[]> record = states.record(key, seq);
            long written = WriterStateCodec.seq(record.value()).orElseThrow();
            publishUntilAcknowledged(chunk, "writer state", List.of(record), publisher, retry);
            OptionalLong now = durableState(key, chunk, states, retry);
            if (now.isEmpty() || now.getAsLong() <= written) {
                return;
            }
            LOGGER.info(
                    "the writer committed meanwhile; writing its higher state again writer={} seq={} written={} now={}",
                    chunk.writerId(),
                    chunk.seq(),
                    written,
                    now.getAsLong());
            seq = now.getAsLong();
        }
    }

    /**
     * The writer's durable state, waiting for Kafka; empty when this node cannot know it (it forgot writers for
     * lack of memory): then the chunk is published without a state record, as at-least-once allows.
     */
    private static OptionalLong durableState(
            WriterKey key, SpillJournal.Chunk chunk, WriterStates states, Duration retry) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return OptionalLong.of(states.lastCommitted(key));
            } catch (SwitchboardException e) {
                if (e.code() == ErrorCode.BUSY) {
                    LOGGER.warn(
                            "writer state unknown to this node; re-injecting the spilled chunk without it writer={} seq={}",
                            chunk.writerId(),
                            chunk.seq());
                    return OptionalLong.empty();
                }
                LOGGER.warn(
                        "reading the writer state for a spilled chunk failed; retrying writer={} seq={} attempt={} cause={}",
                        chunk.writerId(),
                        chunk.seq(),
                        attempt,
                        e.getMessage());
                Thread.sleep(retry.toMillis());
            }
        }
    }

    private static void publishUntilAcknowledged(
            SpillJournal.Chunk chunk,
            String what,
            List<ProducerRecord<byte[], byte[]>> records,
            NodeProducer publisher,
            Duration retry)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                publisher.publish(new ArrayList<>(records)).get();
                return;
            } catch (ExecutionException e) {
                LOGGER.warn(
                        "re-injecting a spilled {} failed; retrying writer={} seq={} attempt={} cause={}",
                        what,
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
