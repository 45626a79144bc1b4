package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.AllocationsConsumed;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.AnnounceLeaving;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Beat;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.CancelAllocations;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Channels;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Close;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.ConsumeAllocations;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.ConsumeRequests;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Detach;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Detached;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Drain;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Draining;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.DrainingUnlinked;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Effect;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Event;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.KafkaBack;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.KafkaLost;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Leaving;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Linked;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Lost;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Opened;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.State;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Step;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Taking;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Unlinked;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every (state, event) pair of a backend node's attachment to its broker. The machine only compares channels by
 * identity and hands them back in effects, so they are placeholders without AMQP channels (the attachment's I/O
 * runs against a real broker in AmqpShardsIT and the contract suite).
 */
class AttachmentLifecycleTest {
    /** The current connection's channels. */
    private static final Channels OLD = new Channels(null, null, null, ExpirationStyle.RELATIVE);
    /** A fresh connection's channels. */
    private static final Channels FRESH = new Channels(null, null, null, ExpirationStyle.ABSOLUTE);

    private static final Unlinked UNLINKED = new Unlinked();
    private static final Linked LINKED = new Linked(OLD);
    private static final Taking TAKING = new Taking(OLD, "c1");
    private static final DrainingUnlinked DRAINING_UNLINKED = new DrainingUnlinked();
    private static final Draining DRAINING = new Draining(OLD);
    private static final Leaving LEAVING = new Leaving(OLD);
    private static final Detached DETACHED = new Detached();

    private static final Opened OPENED = new Opened(FRESH, true);
    private static final AllocationsConsumed CONSUMED = new AllocationsConsumed(OLD, "c2");
    private static final CancelAllocations CANCEL_NEW = new CancelAllocations(OLD, "c2");
    private static final CancelAllocations CANCEL_OLD = new CancelAllocations(OLD, "c1");

    static Stream<Arguments> table() {
        return Stream.of(
                row(
                        UNLINKED,
                        OPENED,
                        new Linked(FRESH),
                        new ConsumeRequests(FRESH),
                        new ConsumeAllocations(FRESH),
                        new Beat()),
                row(UNLINKED, CONSUMED, UNLINKED, CANCEL_NEW), // lost while the consumer started
                row(UNLINKED, new KafkaLost(), UNLINKED),
                row(UNLINKED, new KafkaBack(), UNLINKED), // the next connection consumes
                row(UNLINKED, new Lost(), UNLINKED),
                row(UNLINKED, new Drain(), DRAINING_UNLINKED, new Beat()),
                row(UNLINKED, new Close(), DETACHED, new Detach(Optional.empty())),
                row(
                        LINKED,
                        OPENED,
                        new Linked(FRESH),
                        new ConsumeRequests(FRESH),
                        new ConsumeAllocations(FRESH),
                        new Beat()),
                row(LINKED, CONSUMED, new Taking(OLD, "c2")),
                row(LINKED, new KafkaLost(), LINKED),
                row(LINKED, new KafkaBack(), LINKED, new ConsumeAllocations(OLD)),
                row(LINKED, new Lost(), UNLINKED),
                row(LINKED, new Drain(), DRAINING, new Beat()),
                row(LINKED, new Close(), LEAVING, new AnnounceLeaving(OLD), new Detach(Optional.of(OLD))),
                row(
                        TAKING,
                        OPENED,
                        new Linked(FRESH),
                        new ConsumeRequests(FRESH),
                        new ConsumeAllocations(FRESH),
                        new Beat()),
                row(TAKING, CONSUMED, TAKING, CANCEL_NEW), // two beats raced: one consumer is enough
                row(TAKING, new KafkaLost(), LINKED, CANCEL_OLD),
                row(TAKING, new KafkaBack(), TAKING),
                row(TAKING, new Lost(), UNLINKED),
                row(TAKING, new Drain(), DRAINING, CANCEL_OLD, new Beat()),
                row(TAKING, new Close(), LEAVING, new AnnounceLeaving(OLD), CANCEL_OLD, new Detach(Optional.of(OLD))),
                row(DRAINING_UNLINKED, OPENED, new Draining(FRESH), new ConsumeRequests(FRESH), new Beat()),
                row(DRAINING_UNLINKED, CONSUMED, DRAINING_UNLINKED, CANCEL_NEW),
                row(DRAINING_UNLINKED, new KafkaLost(), DRAINING_UNLINKED),
                row(DRAINING_UNLINKED, new KafkaBack(), DRAINING_UNLINKED),
                row(DRAINING_UNLINKED, new Lost(), DRAINING_UNLINKED),
                row(DRAINING_UNLINKED, new Drain(), DRAINING_UNLINKED),
                row(DRAINING_UNLINKED, new Close(), DETACHED, new Detach(Optional.empty())),
                row(DRAINING, OPENED, new Draining(FRESH), new ConsumeRequests(FRESH), new Beat()),
                row(DRAINING, CONSUMED, DRAINING, CANCEL_NEW), // drained while the consumer started
                row(DRAINING, new KafkaLost(), DRAINING),
                row(DRAINING, new KafkaBack(), DRAINING), // a draining node never takes allocations again
                row(DRAINING, new Lost(), DRAINING_UNLINKED),
                row(DRAINING, new Drain(), DRAINING),
                row(DRAINING, new Close(), LEAVING, new AnnounceLeaving(OLD), new Detach(Optional.of(OLD))),
                row(LEAVING, OPENED, LEAVING), // detached while connecting: nothing consumed
                row(LEAVING, CONSUMED, LEAVING, CANCEL_NEW),
                row(LEAVING, new KafkaLost(), LEAVING),
                row(LEAVING, new KafkaBack(), LEAVING),
                row(LEAVING, new Lost(), DETACHED),
                row(LEAVING, new Drain(), LEAVING),
                row(LEAVING, new Close(), LEAVING), // detached once
                row(DETACHED, OPENED, DETACHED),
                row(DETACHED, CONSUMED, DETACHED, CANCEL_NEW),
                row(DETACHED, new KafkaLost(), DETACHED),
                row(DETACHED, new KafkaBack(), DETACHED),
                row(DETACHED, new Lost(), DETACHED),
                row(DETACHED, new Drain(), DETACHED),
                row(DETACHED, new Close(), DETACHED));
    }

    @ParameterizedTest(name = "{0} + {1} -> {2} / {3}")
    @MethodSource("table")
    void movesAsTheTableSays(State from, Event event, State to, List<Effect> effects) {
        Step step = AttachmentLifecycle.apply(from, event);

        assertThat(step.state()).isEqualTo(to);
        assertThat(step.effects()).isEqualTo(effects);
    }

    @Test
    void theTableWalksEveryStateWithEveryEvent() {
        Set<List<Class<?>>> walked = new HashSet<>();
        table().forEach(row -> walked.add(List.of(row.get()[0].getClass(), row.get()[1].getClass())));

        assertThat(walked)
                .hasSize(State.class.getPermittedSubclasses().length * Event.class.getPermittedSubclasses().length);
    }

    @Test
    void aFreshConnectionWithoutKafkaConsumesOnlyTheNodeQueue() {
        Step step = AttachmentLifecycle.apply(TAKING, new Opened(FRESH, false));

        assertThat(step.state()).isEqualTo(new Linked(FRESH));
        assertThat(step.effects()).containsExactly(new ConsumeRequests(FRESH), new Beat());
    }

    @Test
    void aConsumerStartedOnAnOlderConnectionIsCancelled() {
        Step step = AttachmentLifecycle.apply(new Linked(FRESH), new AllocationsConsumed(OLD, "c2"));

        assertThat(step.state()).isEqualTo(new Linked(FRESH));
        assertThat(step.effects()).containsExactly(CANCEL_NEW);
    }

    @Test
    void eachStateAnnouncesWhatThePresenceBeatsSay() {
        assertThat(Stream.of(UNLINKED, LINKED, TAKING, DRAINING_UNLINKED, DRAINING, LEAVING, DETACHED)
                        .map(State::shown))
                .containsExactly(
                        NodeState.SERVING,
                        NodeState.SERVING,
                        NodeState.SERVING,
                        NodeState.DRAINING,
                        NodeState.DRAINING,
                        NodeState.LEAVING,
                        NodeState.LEAVING);
        assertThat(AttachmentLifecycle.channels(DRAINING)).contains(OLD);
        assertThat(AttachmentLifecycle.channels(LEAVING))
                .as("replies still go out while leaving")
                .contains(OLD);
        assertThat(AttachmentLifecycle.channels(DRAINING_UNLINKED)).isEmpty();
    }

    private static Arguments row(State from, Event event, State to, Effect... effects) {
        return Arguments.of(from, event, to, List.of(effects));
    }
}
