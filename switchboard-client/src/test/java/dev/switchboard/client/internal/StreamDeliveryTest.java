package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.client.internal.StreamDelivery.Abandon;
import dev.switchboard.client.internal.StreamDelivery.Accept;
import dev.switchboard.client.internal.StreamDelivery.Ack;
import dev.switchboard.client.internal.StreamDelivery.Arrived;
import dev.switchboard.client.internal.StreamDelivery.Cancel;
import dev.switchboard.client.internal.StreamDelivery.Close;
import dev.switchboard.client.internal.StreamDelivery.Closed;
import dev.switchboard.client.internal.StreamDelivery.Command;
import dev.switchboard.client.internal.StreamDelivery.Credit;
import dev.switchboard.client.internal.StreamDelivery.Deliver;
import dev.switchboard.client.internal.StreamDelivery.Drop;
import dev.switchboard.client.internal.StreamDelivery.Effect;
import dev.switchboard.client.internal.StreamDelivery.Held;
import dev.switchboard.client.internal.StreamDelivery.Idle;
import dev.switchboard.client.internal.StreamDelivery.Lost;
import dev.switchboard.client.internal.StreamDelivery.Open;
import dev.switchboard.client.internal.StreamDelivery.Opened;
import dev.switchboard.client.internal.StreamDelivery.Save;
import dev.switchboard.client.internal.StreamDelivery.State;
import dev.switchboard.client.internal.StreamDelivery.Violation;
import dev.switchboard.core.session.StreamWindow;
import dev.switchboard.core.session.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every (state, command) pair of the streaming subscriber's delivery, a walk through a stream lost with a batch held,
 * and the invariants after each step: a held batch was delivered, the cursor saved is the held batch's, and the
 * window never holds more than it allows.
 */
class StreamDeliveryTest {
    /** What the application holds of a batch; equal values, but identity is what counts. */
    private record Fake(String name) {}

    private static final Fake BATCH_1 = new Fake("batch-1");
    private static final Fake OTHER = new Fake("batch-1");
    private static final String STREAM = "stream";
    private static final Held<Fake> HELD = new Held<>(BATCH_1, 1, "cursor-1");

    private static final State<String, Fake> IDLE = new Idle<>(Optional.empty());
    private static final State<String, Fake> IDLE_HELD = new Idle<>(Optional.of(HELD));
    /** Window 2: batch 1 arrived and not delivered. */
    private static final State<String, Fake> ARRIVED =
            new Open<>(STREAM, new StreamWindow.Flowing(2, 1, 0), 0, Optional.empty());
    /** Batches 1 and 2 arrived (the window is full), batch 1 is held. */
    private static final State<String, Fake> FULL_HELD =
            new Open<>(STREAM, new StreamWindow.Stalled(2, 2, 0), 1, Optional.of(HELD));
    /** After the ack of batch 1: its credit returned. */
    private static final State<String, Fake> FULL_ACKED =
            new Open<>(STREAM, new StreamWindow.Flowing(2, 2, 1), 1, Optional.empty());

    private static final State<String, Fake> CLOSED = new Closed<>();

    static Stream<Object[]> table() {
        return Stream.of(
                // Idle, nothing held
                row(IDLE, new Opened<>(STREAM, 2), open(2), null),
                row(IDLE, new Arrived<>(1), IDLE, new Violation("")),
                row(IDLE, new Deliver<>(BATCH_1, 1, "cursor-1"), IDLE, new Violation("")),
                row(IDLE, new Ack<>(BATCH_1), IDLE, null),
                row(IDLE, new Lost<>(), IDLE, null),
                row(IDLE, new Abandon<>(), IDLE, null),
                row(IDLE, new Close<>(), CLOSED, null),
                // Idle with a held batch (its stream was lost)
                row(IDLE_HELD, new Opened<>(STREAM, 2), IDLE_HELD, new Violation("")),
                row(IDLE_HELD, new Ack<>(BATCH_1), IDLE, new Save("cursor-1")),
                row(IDLE_HELD, new Ack<>(OTHER), IDLE_HELD, null),
                row(IDLE_HELD, new Arrived<>(1), IDLE_HELD, new Violation("")),
                row(IDLE_HELD, new Lost<>(), IDLE_HELD, null),
                row(IDLE_HELD, new Close<>(), CLOSED, null),
                // Open: a batch arrived and waits
                row(open(2), new Arrived<>(1), ARRIVED, new Accept(1)),
                row(open(2), new Arrived<>(2), open(2), new Violation("")),
                row(ARRIVED, new Deliver<>(BATCH_1, 1, "cursor-1"), held(ARRIVED), null),
                row(ARRIVED, new Deliver<>(BATCH_1, 2, "cursor-2"), ARRIVED, new Violation("")),
                row(open(2), new Deliver<>(BATCH_1, 1, "cursor-1"), open(2), new Violation("")),
                row(ARRIVED, new Opened<>(STREAM, 2), ARRIVED, new Violation("")),
                row(ARRIVED, new Lost<>(), IDLE, new Drop()),
                row(ARRIVED, new Abandon<>(), IDLE, new Cancel()),
                row(ARRIVED, new Close<>(), CLOSED, new Cancel()),
                // Open, window full, batch 1 held
                row(FULL_HELD, new Arrived<>(3), FULL_HELD, new Violation("")),
                row(FULL_HELD, new Deliver<>(OTHER, 2, "cursor-2"), FULL_HELD, new Violation("")),
                row(FULL_HELD, new Ack<>(BATCH_1), FULL_ACKED, new Credit(1)),
                row(FULL_HELD, new Ack<>(OTHER), FULL_HELD, null),
                row(FULL_HELD, new Lost<>(), IDLE_HELD, new Drop()),
                row(FULL_HELD, new Abandon<>(), IDLE_HELD, new Drop()),
                row(FULL_HELD, new Close<>(), CLOSED, new Cancel()),
                row(FULL_ACKED, new Arrived<>(3), full(3, 1), new Accept(3)),
                // Closed: nothing moves
                row(CLOSED, new Opened<>(STREAM, 2), CLOSED, null),
                row(CLOSED, new Arrived<>(1), CLOSED, null),
                row(CLOSED, new Ack<>(BATCH_1), CLOSED, null),
                row(CLOSED, new Close<>(), CLOSED, null));
    }

    private static Object[] row(
            State<String, Fake> state, Command<String, Fake> command, State<String, Fake> next, Effect effect) {
        return new Object[] {state, command, next, effect};
    }

    private static State<String, Fake> open(int window) {
        return new Open<>(STREAM, StreamWindow.open(window, 0), 0, Optional.empty());
    }

    private static State<String, Fake> held(State<String, Fake> arrived) {
        Open<String, Fake> open = (Open<String, Fake>) arrived;
        return new Open<>(STREAM, open.window(), 1, Optional.of(HELD));
    }

    private static State<String, Fake> full(long pushed, long credited) {
        return new Open<>(STREAM, new StreamWindow.Stalled(2, pushed, credited), 1, Optional.empty());
    }

    @ParameterizedTest
    @MethodSource("table")
    void everyStateAndCommand(
            State<String, Fake> state, Command<String, Fake> command, State<String, Fake> next, Effect effect) {
        Transition<State<String, Fake>, Effect> step = StreamDelivery.apply(state, command);

        assertThat(step.state()).isEqualTo(next);
        if (effect == null) {
            assertThat(step.effects()).isEmpty();
        } else if (effect instanceof Violation) {
            assertThat(step.effects()).singleElement().isInstanceOf(Violation.class);
        } else {
            assertThat(step.effects()).contains(effect);
        }
        invariants(step);
    }

    @Test
    void theTableCoversEveryKindOfStateAndCommand() {
        Set<Class<?>> states = table().map(row -> row[0].getClass()).collect(Collectors.toSet());
        Set<Class<?>> commands = table().map(row -> row[1].getClass()).collect(Collectors.toSet());

        assertThat(states).containsExactlyInAnyOrder(Idle.class, Open.class, Closed.class);
        assertThat(commands)
                .containsExactlyInAnyOrder(
                        Opened.class, Arrived.class, Deliver.class, Ack.class, Lost.class, Abandon.class, Close.class);
    }

    @Test
    void aHeldBatchOutlivesItsLostStreamAndItsAckSavesItsCursorOnce() {
        // Given a stream that delivered batch 1 and had batch 2 waiting
        List<Effect> effects = new ArrayList<>();
        State<String, Fake> state = IDLE;
        for (Command<String, Fake> command : List.<Command<String, Fake>>of(
                new Opened<>(STREAM, 4), new Arrived<>(1), new Deliver<>(BATCH_1, 1, "cursor-1"), new Arrived<>(2))) {
            state = step(state, command, effects);
        }

        // When the stream is lost, the application acknowledges batch 1, and a new stream opens
        state = step(state, new Lost<>(), effects);
        state = step(state, new Ack<>(BATCH_1), effects);
        state = step(state, new Ack<>(BATCH_1), effects);
        state = step(state, new Opened<>("stream-2", 4), effects);

        // Then batch 2 was dropped with its stream, batch 1's cursor saved once, no credit sent to the lost stream,
        // and the new stream starts from its batch 1
        assertThat(effects).containsExactly(new Accept(1), new Accept(2), new Drop(), new Save("cursor-1"));
        assertThat(state).isEqualTo(new Open<>("stream-2", StreamWindow.open(4, 0), 0, Optional.empty()));
    }

    private static State<String, Fake> step(
            State<String, Fake> state, Command<String, Fake> command, List<Effect> effects) {
        Transition<State<String, Fake>, Effect> step = StreamDelivery.apply(state, command);
        assertThat(step.effects()).noneMatch(Violation.class::isInstance);
        effects.addAll(step.effects());
        invariants(step);
        return step.state();
    }

    private static void invariants(Transition<State<String, Fake>, Effect> step) {
        if (step.state() instanceof Open<String, Fake> open) {
            long pushed = switch (open.window()) {
                case StreamWindow.Flowing flowing -> flowing.pushed();
                case StreamWindow.Stalled stalled -> stalled.pushed();
                case StreamWindow.Ended ended -> throw new AssertionError("an open stream's window never ends");
            };
            assertThat(open.delivered()).isBetween(0L, pushed);
            open.held().ifPresent(held -> assertThat(held.seq()).isEqualTo(open.delivered()));
        }
        for (Effect effect : step.effects()) {
            if (effect instanceof Save save) {
                assertThat(save.cursor()).isEqualTo(HELD.cursor());
            }
        }
    }
}
