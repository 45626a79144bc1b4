package dev.switchboard.backend.internal;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * How a {@link Fetcher} reads, as one pure transition function over sealed modes: with a consumer of its own, from
 * the topic's shared {@link TailReader}, or not at all (parked, or after it left the tail reader: it keeps only the
 * next offset per partition). The I/O (opening and closing consumers, joining and leaving tail readers) happens at
 * the edge, in the fetcher: events carry its results in, and effects say what to release.
 *
 * <pre>
 *   Own --Joined--> Tailing --Left--> Parked --Opened--> Own
 *   Own --Parked--> Parked --Joined--> Tailing
 *   Tailing --Park--> Parked              any --Close--> Closed
 * </pre>
 */
final class FetcherMode {
    private FetcherMode() {}

    sealed interface Mode {}

    /** Reads with {@code consumer}, its own, and a read-ahead buffer. */
    record Own(Consumer<byte[], byte[]> consumer) implements Mode {}

    /** Reads from {@code reader}'s cache; {@code positions} (next offset per partition) move as it takes. */
    record Tailing(TailReader reader, Map<TopicPartition, Long> positions) implements Mode {}

    /** Holds nothing but {@code positions}, the next offset per partition. */
    record Parked(Map<TopicPartition, Long> positions) implements Mode {}

    record Closed() implements Mode {}

    sealed interface Event {}

    /** The fetcher gives back what it holds, keeping {@code positions} (its own consumer's, for {@link Own}). */
    record Park(Map<TopicPartition, Long> positions) implements Event {}

    /** The fetcher joined {@code reader} at {@code positions}. */
    record Joined(TailReader reader, Map<TopicPartition, Long> positions) implements Event {}

    /** The tail reader no longer serves it (it fell behind the cache, or the reader stopped). */
    record Left() implements Event {}

    /** A consumer of its own was opened at the positions. */
    record Opened(Consumer<byte[], byte[]> consumer) implements Event {}

    record Close() implements Event {}

    sealed interface Effect {}

    record CloseConsumer(Consumer<byte[], byte[]> consumer) implements Effect {}

    record LeaveTail(TailReader reader) implements Effect {}

    record Step(Mode mode, List<Effect> effects) {
        Step(Mode mode, Effect... effects) {
            this(mode, List.of(effects));
        }
    }

    /** An event that does not fit the mode is a bug in the fetcher. */
    static Step apply(Mode mode, Event event) {
        return switch (mode) {
            case Own own ->
                switch (event) {
                    case Park park -> new Step(new Parked(park.positions()), new CloseConsumer(own.consumer()));
                    case Joined joined ->
                        new Step(new Tailing(joined.reader(), joined.positions()), new CloseConsumer(own.consumer()));
                    case Close close -> new Step(new Closed(), new CloseConsumer(own.consumer()));
                    default -> illegal(mode, event);
                };
            case Tailing tailing ->
                switch (event) {
                    case Park park -> new Step(new Parked(tailing.positions()), new LeaveTail(tailing.reader()));
                    case Left left -> new Step(new Parked(tailing.positions()), new LeaveTail(tailing.reader()));
                    case Close close -> new Step(new Closed(), new LeaveTail(tailing.reader()));
                    default -> illegal(mode, event);
                };
            case Parked parked ->
                switch (event) {
                    case Park park -> new Step(parked);
                    case Joined joined -> new Step(new Tailing(joined.reader(), joined.positions()));
                    case Opened opened -> new Step(new Own(opened.consumer()));
                    case Close close -> new Step(new Closed());
                    default -> illegal(mode, event);
                };
            case Closed closed -> event instanceof Close ? new Step(closed) : illegal(mode, event);
        };
    }

    private static Step illegal(Mode mode, Event event) {
        throw new IllegalStateException("fetcher cannot " + event.getClass().getSimpleName() + " while "
                + mode.getClass().getSimpleName());
    }
}
