package dev.switchboard.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.session.StreamWindow.Command;
import dev.switchboard.core.session.StreamWindow.Credit;
import dev.switchboard.core.session.StreamWindow.Effect;
import dev.switchboard.core.session.StreamWindow.End;
import dev.switchboard.core.session.StreamWindow.Ended;
import dev.switchboard.core.session.StreamWindow.Finish;
import dev.switchboard.core.session.StreamWindow.Flowing;
import dev.switchboard.core.session.StreamWindow.Push;
import dev.switchboard.core.session.StreamWindow.Resume;
import dev.switchboard.core.session.StreamWindow.Send;
import dev.switchboard.core.session.StreamWindow.Stalled;
import dev.switchboard.core.session.StreamWindow.State;
import dev.switchboard.core.session.StreamWindow.Violation;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every (state, command) pair of the credit window, with the seq edge cases, and the invariant after each step. */
class StreamWindowTest {
    /** Window 3: room for two more, room for one more, full, ended. */
    private static final State ROOM = new Flowing(3, 5, 4);

    private static final State LAST_ROOM = new Flowing(3, 6, 4);
    private static final State FULL = new Stalled(3, 7, 4);
    private static final State ENDED = new Ended();

    /** state, command, next state, effect (null: none); a Violation row matches any reason. */
    static Stream<Object[]> table() {
        return Stream.of(
                row(ROOM, new Push(6), LAST_ROOM, new Send(6)),
                row(ROOM, new Push(5), ROOM, new Violation("")),
                row(ROOM, new Push(7), ROOM, new Violation("")),
                row(ROOM, new Credit(3), ROOM, null),
                row(ROOM, new Credit(4), ROOM, null),
                row(ROOM, new Credit(5), new Flowing(3, 5, 5), null),
                row(ROOM, new Credit(6), ROOM, new Violation("")),
                row(ROOM, new End(), ENDED, new Finish()),
                row(LAST_ROOM, new Push(7), FULL, new Send(7)),
                row(LAST_ROOM, new Push(8), LAST_ROOM, new Violation("")),
                row(LAST_ROOM, new Credit(6), new Flowing(3, 6, 6), null),
                row(LAST_ROOM, new Credit(7), LAST_ROOM, new Violation("")),
                row(LAST_ROOM, new End(), ENDED, new Finish()),
                row(FULL, new Push(8), FULL, new Violation("")),
                row(FULL, new Push(7), FULL, new Violation("")),
                row(FULL, new Credit(4), FULL, null),
                row(FULL, new Credit(5), new Flowing(3, 7, 5), new Resume()),
                row(FULL, new Credit(7), new Flowing(3, 7, 7), new Resume()),
                row(FULL, new Credit(8), FULL, new Violation("")),
                row(FULL, new End(), ENDED, new Finish()),
                row(ENDED, new Push(8), ENDED, new Violation("")),
                row(ENDED, new Credit(7), ENDED, null),
                row(ENDED, new End(), ENDED, null));
    }

    private static Object[] row(State state, Command command, State next, Effect effect) {
        return new Object[] {state, command, next, effect};
    }

    @ParameterizedTest(name = "{0} + {1} -> {2} / {3}")
    @MethodSource("table")
    void movesAsTheTableSays(State state, Command command, State next, Effect effect) {
        Transition<State, Effect> step = StreamWindow.apply(state, command);

        assertThat(step.state()).isEqualTo(next);
        if (effect == null) {
            assertThat(step.effects()).isEmpty();
        } else if (effect instanceof Violation) {
            assertThat(step.effects()).singleElement().isInstanceOf(Violation.class);
            assertThat(((Violation) step.effects().getFirst()).reason()).isNotBlank();
        } else {
            assertThat(step.effects()).containsExactly(effect);
        }
    }

    @Test
    void theTableCoversEveryStateAndCommandKind() {
        Set<String> pairs = table().map(row -> row[0].getClass().getSimpleName() + "/"
                        + row[1].getClass().getSimpleName())
                .collect(Collectors.toSet());
        for (String state : List.of("Flowing", "Stalled", "Ended")) {
            for (String command : List.of("Push", "Credit", "End")) {
                assertThat(pairs).contains(state + "/" + command);
            }
        }
    }

    @Test
    void aWindowOfOneStallsAfterEveryBatchAndResumesOnItsCredit() {
        State state = StreamWindow.open(1, 0);

        Transition<State, Effect> pushed = StreamWindow.apply(state, new Push(1));
        Transition<State, Effect> credited = StreamWindow.apply(pushed.state(), new Credit(1));

        assertThat(pushed.state()).isEqualTo(new Stalled(1, 1, 0));
        assertThat(credited.state()).isEqualTo(new Flowing(1, 1, 1));
        assertThat(credited.effects()).containsExactly(new Resume());
    }

    @Test
    void neverMoreThanTheWindowIsUnacknowledged() {
        State state = StreamWindow.open(4, 10);
        long next = 11;
        for (int step = 0; step < 200; step++) {
            Command command = step % 3 == 0 ? new Credit(next - 2) : new Push(next);
            Transition<State, Effect> moved = StreamWindow.apply(state, command);
            if (moved.effects().contains(new Send(next))) {
                next++;
            }
            state = moved.state();
            switch (state) {
                case Flowing flowing ->
                    assertThat(flowing.pushed() - flowing.credited()).isLessThan(4);
                case Stalled stalled ->
                    assertThat(stalled.pushed() - stalled.credited()).isEqualTo(4);
                case Ended ended -> throw new AssertionError("never ended");
            }
        }
        assertThat(next).isGreaterThan(11 + 50);
    }

    @Test
    void statesThatBreakTheInvariantCannotBeMade() {
        assertThatThrownBy(() -> StreamWindow.open(0, 0)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> new Flowing(2, 5, 3)).hasMessageContaining("has room");
        assertThatThrownBy(() -> new Stalled(2, 4, 3)).hasMessageContaining("full window");
        assertThatThrownBy(() -> new Flowing(2, 3, 4)).hasMessageContaining("between 0 and pushed");
    }
}
