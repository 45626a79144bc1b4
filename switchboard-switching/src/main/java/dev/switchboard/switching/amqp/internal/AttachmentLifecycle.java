package dev.switchboard.switching.amqp.internal;

import com.rabbitmq.client.Channel;
import dev.switchboard.switching.amqp.NodeState;
import java.util.List;
import java.util.Optional;

/**
 * A backend node's attachment to its shard's broker ({@link NodeAttachment}), as one pure transition function:
 * whether it serves, drains or has detached (what its presence beats announce, {@link State#shown}), whether it
 * has a connection's channels, and whether it consumes the allocation queue. The I/O (consuming, cancelling,
 * beats, detaching) happens at the edge, in the attachment: events carry its results in (a consumer's tag, fresh
 * channels), effects say what to do.
 *
 * <pre>
 *   Unlinked --Opened--> Linked --AllocationsConsumed--> Taking    (Opened asks to consume when Kafka is reachable)
 *   Taking --KafkaLost--> Linked --KafkaBack--> (consume again)     Linked, Taking --Lost--> Unlinked
 *   Unlinked, Linked, Taking --Drain--> DrainingUnlinked, Draining  (Taking: cancel the allocation consumer)
 *   DrainingUnlinked --Opened--> Draining --Lost--> DrainingUnlinked
 *   any --Close--> Leaving (connected) or Detached                  (announce leaving, detach once)
 *   Leaving --Lost--> Detached
 * </pre>
 *
 * A consumer started while the state moved on (drained, lost, detached) comes back as {@link AllocationsConsumed}
 * to a state that does not take allocations, and is cancelled at once.
 */
final class AttachmentLifecycle {
    private AttachmentLifecycle() {}

    /** One connection's channels (requests in, allocations in, replies and beats out), and its broker's way. */
    record Channels(Channel requests, Channel allocations, Channel out, ExpirationStyle expiration) {}

    sealed interface State {
        /** What the node announces in its presence beats. */
        NodeState shown();
    }

    /** Serving, without a connection. */
    record Unlinked() implements State {
        @Override
        public NodeState shown() {
            return NodeState.SERVING;
        }
    }

    /** Serving on {@code channels}, not taking allocations (Kafka is unreachable, or the consumer is starting). */
    record Linked(Channels channels) implements State {
        @Override
        public NodeState shown() {
            return NodeState.SERVING;
        }
    }

    /** Serving on {@code channels}, taking allocations with {@code consumer}. */
    record Taking(Channels channels, String consumer) implements State {
        @Override
        public NodeState shown() {
            return NodeState.SERVING;
        }
    }

    /** Draining (no new sessions, existing ones served), without a connection. */
    record DrainingUnlinked() implements State {
        @Override
        public NodeState shown() {
            return NodeState.DRAINING;
        }
    }

    /** Draining on {@code channels}: its node queue only. */
    record Draining(Channels channels) implements State {
        @Override
        public NodeState shown() {
            return NodeState.DRAINING;
        }
    }

    /**
     * Detached for good, its connection still up on {@code channels}: replies of requests taken before go out on
     * them until the connection closes.
     */
    record Leaving(Channels channels) implements State {
        @Override
        public NodeState shown() {
            return NodeState.LEAVING;
        }
    }

    /** Detached for good, without a connection. */
    record Detached() implements State {
        @Override
        public NodeState shown() {
            return NodeState.LEAVING;
        }
    }

    static final State INITIAL = new Unlinked();

    /** The channels replies and beats go out on in {@code state}, when it has a connection. */
    static Optional<Channels> channels(State state) {
        return switch (state) {
            case Linked linked -> Optional.of(linked.channels());
            case Taking taking -> Optional.of(taking.channels());
            case Draining draining -> Optional.of(draining.channels());
            case Leaving leaving -> Optional.of(leaving.channels());
            case Unlinked unlinked -> Optional.empty();
            case DrainingUnlinked unlinked -> Optional.empty();
            case Detached detached -> Optional.empty();
        };
    }

    sealed interface Event {}

    /** A fresh connection's {@code channels} are set up; {@code kafkaReachable} as the endpoint says now. */
    record Opened(Channels channels, boolean kafkaReachable) implements Event {}

    /** {@link ConsumeAllocations} on {@code channels} started {@code consumer}. */
    record AllocationsConsumed(Channels channels, String consumer) implements Event {}

    /** A beat found the endpoint cut off from Kafka. */
    record KafkaLost() implements Event {}

    /** A beat found the endpoint reaching Kafka. */
    record KafkaBack() implements Event {}

    /** The connection is gone (a new one is on its way). */
    record Lost() implements Event {}

    record Drain() implements Event {}

    record Close() implements Event {}

    sealed interface Effect {}

    /** Consume the node's own queue on {@code channels}. */
    record ConsumeRequests(Channels channels) implements Effect {}

    /** Consume the allocation queue on {@code channels}; its tag comes back as {@link AllocationsConsumed}. */
    record ConsumeAllocations(Channels channels) implements Effect {}

    /** Stop consuming allocations (unacknowledged ones go back to the queue for the shard's other nodes). */
    record CancelAllocations(Channels channels, String consumer) implements Effect {}

    /** Announce the node's state now (and follow Kafka), rather than at the next heartbeat. */
    record Beat() implements Effect {}

    /** Announce LEAVING on {@code channels}: the last beat. */
    record AnnounceLeaving(Channels channels) implements Effect {}

    /**
     * Stop the beats, wait for the replies of requests taken, delete the node queue (on {@code channels}, when
     * connected), close the connection.
     */
    record Detach(Optional<Channels> channels) implements Effect {}

    record Step(State state, List<Effect> effects) {
        Step(State state, Effect... effects) {
            this(state, List.of(effects));
        }
    }

    static Step apply(State state, Event event) {
        return switch (state) {
            case Unlinked unlinked ->
                switch (event) {
                    case Opened opened -> serveOn(opened);
                    case Drain drain -> new Step(new DrainingUnlinked(), new Beat());
                    case Close close -> new Step(new Detached(), new Detach(Optional.empty()));
                    default -> unwanted(unlinked, event);
                };
            case Linked linked ->
                switch (event) {
                    case Opened opened -> serveOn(opened);
                    case AllocationsConsumed consumed
                    when consumed.channels() == linked.channels() ->
                        new Step(new Taking(linked.channels(), consumed.consumer()));
                    case KafkaBack back -> new Step(linked, new ConsumeAllocations(linked.channels()));
                    case Lost lost -> new Step(new Unlinked());
                    case Drain drain -> new Step(new Draining(linked.channels()), new Beat());
                    case Close close -> leave(linked.channels());
                    default -> unwanted(linked, event);
                };
            case Taking taking ->
                switch (event) {
                    case Opened opened -> serveOn(opened);
                    case KafkaLost lost ->
                        new Step(
                                new Linked(taking.channels()),
                                new CancelAllocations(taking.channels(), taking.consumer()));
                    case Lost lost -> new Step(new Unlinked());
                    case Drain drain ->
                        new Step(
                                new Draining(taking.channels()),
                                new CancelAllocations(taking.channels(), taking.consumer()),
                                new Beat());
                    case Close close ->
                        new Step(
                                new Leaving(taking.channels()),
                                new AnnounceLeaving(taking.channels()),
                                new CancelAllocations(taking.channels(), taking.consumer()),
                                new Detach(Optional.of(taking.channels())));
                    default -> unwanted(taking, event);
                };
            case DrainingUnlinked draining ->
                switch (event) {
                    case Opened opened -> drainOn(opened);
                    case Close close -> new Step(new Detached(), new Detach(Optional.empty()));
                    default -> unwanted(draining, event);
                };
            case Draining draining ->
                switch (event) {
                    case Opened opened -> drainOn(opened);
                    case Lost lost -> new Step(new DrainingUnlinked());
                    case Close close -> leave(draining.channels());
                    default -> unwanted(draining, event);
                };
            case Leaving leaving ->
                switch (event) {
                    case Lost lost -> new Step(new Detached());
                    default -> unwanted(leaving, event);
                };
            case Detached detached -> unwanted(detached, event);
        };
    }

    /** A fresh connection while serving: consume the node queue, and allocations when Kafka is reachable. */
    private static Step serveOn(Opened opened) {
        Channels channels = opened.channels();
        return opened.kafkaReachable()
                ? new Step(
                        new Linked(channels),
                        new ConsumeRequests(channels),
                        new ConsumeAllocations(channels),
                        new Beat())
                : new Step(new Linked(channels), new ConsumeRequests(channels), new Beat());
    }

    /** A fresh connection while draining: the node queue only. */
    private static Step drainOn(Opened opened) {
        return new Step(new Draining(opened.channels()), new ConsumeRequests(opened.channels()), new Beat());
    }

    private static Step leave(Channels channels) {
        return new Step(new Leaving(channels), new AnnounceLeaving(channels), new Detach(Optional.of(channels)));
    }

    /**
     * An event with nothing to do in this state: it stays. A consumer started for another state (drained, lost or
     * detached meanwhile, or on an older connection) is cancelled.
     */
    private static Step unwanted(State state, Event event) {
        return event instanceof AllocationsConsumed consumed
                ? new Step(state, new CancelAllocations(consumed.channels(), consumed.consumer()))
                : new Step(state);
    }
}
