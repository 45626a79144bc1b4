package dev.switchboard.switching.amqp.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.Switch;
import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.AnnounceLeaving;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Beat;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.CancelAllocations;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Channels;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.ConsumeAllocations;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.ConsumeRequests;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Detach;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Draining;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Effect;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Linked;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.State;
import dev.switchboard.switching.amqp.internal.AttachmentLifecycle.Taking;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend node attached to its shard's broker: consumes the shard's allocation queue (while serving) and its
 * own node queue, hands each request to the endpoint ({@link EndpointCaller}), answers to the request's reply
 * queue, and announces itself on the presence exchange every heartbeat.
 *
 * <p>Its life is {@link AttachmentLifecycle}, a pure machine (serving, draining or detached; with a connection's
 * channels or without; taking allocations or not), held in one atomic reference and moved by compare-and-set from
 * any thread (the connection's I/O thread included, which must never wait for a lock); the thread whose step won
 * runs its effects. Draining cancels the allocation consumer first, so the node takes no new sessions but keeps answering its
 * node queue. Allocation requests are acknowledged once answered, so the prefetch bounds how many allocations a
 * node works on at once and the least busy node takes the next one. Node-queue requests are acknowledged once
 * answered too, under {@code basic.qos(}{@value #REQUESTS_IN_FLIGHT}{@code )}: at most that many are in the node
 * at once (waiting long polls included); the rest wait in the broker, where their expiration ends them. They are
 * handed to the endpoint on the consumer's own thread, in delivery order, so a pipelining client's requests for
 * one session reach the session's queue in the order it sent them (the endpoint only enqueues; nothing blocks
 * there); a request whose deadline has passed is dropped unrun, and the endpoint is handed the deadline of the
 * others, so it may drop one that is still queued in the node when it passes. A channel closed by a channel-level error (a
 * broker refusal) re-creates the connection and with it every channel; failed replies are logged at WARN and
 * counted ({@link dev.switchboard.switching.amqp.SwitchCounters}).
 */
public final class NodeAttachment implements Switch.Attachment, ShardConnection.Handler {
    private static final Logger LOGGER = LoggerFactory.getLogger(NodeAttachment.class);
    /** Extra time a request may take past its expiration before the node stops waiting for the endpoint. */
    private static final Duration GRACE = Duration.ofSeconds(1);
    /** Node-queue requests in the node at once; a bound for memory and work, far above a node's useful load. */
    static final int REQUESTS_IN_FLIGHT = 1000;
    /** The longest closing waits for the replies of requests already answered to go out. */
    private static final Duration REPLY_GRACE = Duration.ofSeconds(2);

    private final BackendEndpoint endpoint;
    private final int prefetch;
    private final Duration heartbeat;
    private final String version;
    private final SwitchRuntime runtime;
    private final ShardConnection connection;
    private final Runnable onDetached;
    private final EndpointCaller caller;
    /** Requests taken whose reply is not sent yet: closing waits for them, so no answer is lost on the way out. */
    private final AtomicInteger unreplied = new AtomicInteger();
    /** Notified when {@code unreplied} drops to zero. */
    private final Object allReplied = new Object();

    private final AtomicReference<State> life = new AtomicReference<>(AttachmentLifecycle.INITIAL);
    /** The presence beats' timer; set once by {@link #start}. */
    private volatile @Nullable ScheduledFuture<?> beats;

    public NodeAttachment(
            BackendEndpoint endpoint,
            URI uri,
            int prefetch,
            Duration heartbeat,
            String version,
            SwitchRuntime runtime,
            Runnable onDetached) {
        this.endpoint = endpoint;
        this.prefetch = prefetch;
        this.heartbeat = heartbeat;
        this.version = version;
        this.runtime = runtime;
        this.onDetached = onDetached;
        this.caller = new EndpointCaller(endpoint, runtime.scheduler());
        String name = "switchboard-backend-" + endpoint.shard() + "-" + endpoint.nodeId();
        this.connection = new ShardConnection(
                endpoint.shard(), name, runtime.connectionFactory(uri), this, runtime.scheduler(), runtime.executor());
    }

    /**
     * Connects (one attempt now, then in the background) and starts the presence beats, on the runtime's presence
     * thread (a platform thread: on a virtual thread a beat queued behind every request of a capped node).
     */
    public void start() {
        connection.connect();
        beats = runtime.presence()
                .scheduleAtFixedRate(
                        this::beatOnTimer, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        LOGGER.info("backend node attached shard={} node={}", endpoint.shard(), endpoint.nodeId());
    }

    /** True while the node is connected to its broker, reaches Kafka and takes new sessions (readiness). */
    public boolean isServing() {
        State state = current();
        return (state instanceof Linked || state instanceof Taking) && connection.isOpen() && endpoint.kafkaReachable();
    }

    @Override
    public void opened(Connection fresh) throws IOException {
        Channel requests = fresh.createChannel();
        requests.basicQos(REQUESTS_IN_FLIGHT);
        Topology.declareExchanges(requests);
        Topology.declareAllocationQueue(requests);
        Topology.declareNodeQueue(requests, endpoint.nodeId());
        Channel allocations = fresh.createChannel();
        allocations.basicQos(prefetch);
        Channel out = fresh.createChannel();
        // replies are published mandatory: one the broker cannot route (the asking API node's reply queue is gone)
        // comes back here instead of vanishing
        out.addReturnListener(returned -> {
            runtime.counters().countReplyFailed();
            LOGGER.warn(
                    "reply returned by the broker, its reply queue is gone (the API node that asked left or"
                            + " restarted) node={} reply-to={} reason={}",
                    endpoint.nodeId(),
                    returned.getRoutingKey(),
                    returned.getReplyText());
        });
        for (Channel channel : List.of(requests, allocations, out)) {
            channel.addShutdownListener(this::channelClosed);
        }
        Channels channels = new Channels(requests, allocations, out, ExpirationStyle.of(fresh));
        // an exception (the queues cannot be consumed) drops the connection, which is retried
        run(step(new AttachmentLifecycle.Opened(channels, endpoint.kafkaReachable())));
    }

    /**
     * A serving node takes allocations only while its endpoint reaches Kafka: it stops consuming the allocation
     * queue when Kafka is lost (the shard's other nodes take new sessions) and starts again once it is back.
     * Checked on every beat.
     */
    private void followKafka() {
        State state = current();
        if (!(state instanceof Linked || state instanceof Taking)) {
            return;
        }
        boolean reachable = endpoint.kafkaReachable();
        List<Effect> effects =
                step(reachable ? new AttachmentLifecycle.KafkaBack() : new AttachmentLifecycle.KafkaLost());
        if (effects.isEmpty()) {
            return;
        }
        if (!reachable) {
            LOGGER.warn(
                    "backend node takes no allocations: Kafka unreachable shard={} node={}",
                    endpoint.shard(),
                    endpoint.nodeId());
        }
        try {
            run(effects);
        } catch (IOException | RuntimeException e) {
            LOGGER.debug("allocation consumer not started node={} cause={}", endpoint.nodeId(), e.toString());
            connection.reopen(); // a fresh connection consumes again once it is open
            return;
        }
        if (reachable && current() instanceof Taking) {
            LOGGER.info(
                    "backend node takes allocations again: Kafka reachable shard={} node={}",
                    endpoint.shard(),
                    endpoint.nodeId());
        }
    }

    @Override
    public void lost() {
        runQuietly(step(new AttachmentLifecycle.Lost()));
    }

    @Override
    public void drain() {
        List<Effect> effects = step(new AttachmentLifecycle.Drain());
        if (!effects.isEmpty()) { // it was serving
            LOGGER.info("backend node draining shard={} node={}", endpoint.shard(), endpoint.nodeId());
        }
        runQuietly(effects);
    }

    @Override
    public void close() {
        runQuietly(step(new AttachmentLifecycle.Close()));
    }

    /** The last of the node on its broker: no more beats, replies sent, its queue deleted, disconnected. */
    private void detach(Optional<Channels> last) {
        ScheduledFuture<?> timer = beats;
        if (timer != null) {
            timer.cancel(false);
        }
        awaitReplies();
        last.ifPresent(channels -> {
            try {
                // Deleting the queue now, rather than with the connection, makes the returns start at once.
                channels.requests().queueDelete(Topology.nodeQueue(endpoint.nodeId()));
            } catch (IOException | RuntimeException e) {
                LOGGER.debug("node queue not deleted node={} cause={}", endpoint.nodeId(), e.toString());
            }
        });
        connection.close();
        onDetached.run();
        LOGGER.info("backend node detached shard={} node={}", endpoint.shard(), endpoint.nodeId());
    }

    /** The life now (the reference is never empty). */
    private State current() {
        return Objects.requireNonNull(life.get());
    }

    /** Moves the life one step (atomically, from any thread); the effects this thread must run. */
    private List<Effect> step(AttachmentLifecycle.Event event) {
        while (true) {
            State current = current();
            AttachmentLifecycle.Step step = AttachmentLifecycle.apply(current, event);
            if (step.state() == current || life.compareAndSet(current, step.state())) {
                return step.effects();
            }
        }
    }

    /** Runs the effects in order; the first that fails to start a consumer ends the run with its exception. */
    private void run(List<Effect> effects) throws IOException {
        for (Effect effect : effects) {
            switch (effect) {
                case ConsumeRequests consume -> {
                    Channel requests = consume.channels().requests();
                    requests.basicConsume(
                            Topology.nodeQueue(endpoint.nodeId()),
                            false,
                            (tag, delivery) -> handle(requests, delivery, true),
                            this::cancelledByBroker);
                }
                case ConsumeAllocations consume -> {
                    Channel allocations = consume.channels().allocations();
                    String consumer = allocations.basicConsume(
                            Topology.ALLOCATION_QUEUE,
                            false,
                            (tag, delivery) -> dispatch(allocations, delivery, true),
                            this::cancelledByBroker);
                    run(step(new AttachmentLifecycle.AllocationsConsumed(consume.channels(), consumer)));
                }
                case CancelAllocations cancel -> cancelAllocations(cancel);
                case Beat beat -> beat();
                case AnnounceLeaving leaving -> beat(NodeState.LEAVING, Optional.of(leaving.channels()));
                case Detach detach -> detach(detach.channels());
            }
        }
    }

    private void runQuietly(List<Effect> effects) {
        try {
            run(effects);
        } catch (IOException | RuntimeException e) {
            LOGGER.debug("attachment step failed node={} cause={}", endpoint.nodeId(), e.toString());
        }
    }

    /**
     * Waits (at most {@link #REPLY_GRACE}) until every request taken so far has its reply sent: the endpoint has
     * answered them all by now (a backend closes before its attachment), and a commit whose answer never left
     * would make its client send the chunks again.
     */
    private void awaitReplies() {
        long deadline = runtime.clock().millis() + REPLY_GRACE.toMillis();
        synchronized (allReplied) {
            for (long left = REPLY_GRACE.toMillis();
                    unreplied.get() > 0 && left > 0;
                    left = deadline - runtime.clock().millis()) {
                try {
                    allReplied.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (unreplied.get() > 0) {
            LOGGER.warn("closing with replies not sent node={} unreplied={}", endpoint.nodeId(), unreplied.get());
        }
    }

    private void cancelAllocations(CancelAllocations cancel) {
        try {
            cancel.channels().allocations().basicCancel(cancel.consumer());
        } catch (IOException | RuntimeException e) {
            // Without the channel there is no consumer either; unacknowledged allocations go back to the queue.
            LOGGER.debug("allocation consumer not cancelled node={} cause={}", endpoint.nodeId(), e.toString());
            abort(cancel.channels().allocations());
        }
    }

    private void cancelledByBroker(String consumerTag) {
        State state = current();
        if (!(state instanceof Linked || state instanceof Taking || state instanceof Draining)) {
            return; // detached, or the connection is gone anyway
        }
        // A queue deleted under the node: start over on a fresh connection, which declares everything again.
        LOGGER.warn("consumer cancelled by the broker shard={} node={}", endpoint.shard(), endpoint.nodeId());
        connection.reopen();
    }

    /**
     * A channel closed by the broker for a channel-level error (the connection stays up): start over on a fresh
     * connection, which re-creates and re-declares everything. Closes of our own and lost connections are handled
     * elsewhere.
     */
    private void channelClosed(ShutdownSignalException cause) {
        if (cause.isHardError() || cause.isInitiatedByApplication()) {
            return;
        }
        if (current().shown() == NodeState.LEAVING) {
            return;
        }
        runtime.counters().countChannelRecovered();
        LOGGER.warn(
                "channel closed by the broker, reconnecting shard={} node={} reason={}",
                endpoint.shard(),
                endpoint.nodeId(),
                cause.getMessage());
        runtime.executor().execute(connection::reopen); // not on the client's I/O thread, which abort waits for
    }

    private void dispatch(Channel channel, Delivery delivery, boolean acknowledge) {
        runtime.executor().execute(() -> handle(channel, delivery, acknowledge));
    }

    private void handle(Channel channel, Delivery delivery, boolean acknowledge) {
        unreplied.incrementAndGet();
        AMQP.BasicProperties properties = delivery.getProperties();
        Duration remaining = remaining(properties);
        OptionalLong deadline = Topology.deadline(properties);
        if (deadline.isPresent() && deadline.getAsLong() < runtime.clock().millis()) {
            // The API node has given up on it: running it would only cost work nobody waits for.
            runtime.counters().countExpiredRequestDropped();
            LOGGER.debug("expired request dropped node={}", endpoint.nodeId());
            if (acknowledge) {
                acknowledge(channel, delivery.getEnvelope().getDeliveryTag());
            }
            replied();
            return;
        }
        // Past the request's expiration the API node has given up: stop waiting, free the prefetch slot.
        Duration patience = remaining.plus(GRACE);
        // The endpoint runs under the request's trace context (W3C headers the API node set), so its spans and the
        // records it writes join the client's trace.
        CompletableFuture<SwitchResponse> answer;
        try (Scope scope = Topology.traceContext(properties).makeCurrent()) {
            answer = caller.call(delivery.getBody(), patience, deadline);
        }
        // Replies go out on a thread of ours, not on whichever thread completed the endpoint's future.
        answer.whenCompleteAsync(
                (response, impossible) -> {
                    try {
                        reply(properties, response);
                    } finally {
                        if (acknowledge) {
                            acknowledge(channel, delivery.getEnvelope().getDeliveryTag());
                        }
                        replied();
                    }
                },
                runtime.executor());
    }

    /** One request taken has its reply sent (or dropped); the last wakes a closing {@link #awaitReplies}. */
    private void replied() {
        if (unreplied.decrementAndGet() == 0) {
            synchronized (allReplied) {
                allReplied.notifyAll();
            }
        }
    }

    private void reply(AMQP.BasicProperties request, SwitchResponse response) {
        Optional<Channels> current = AttachmentLifecycle.channels(current());
        if (request.getReplyTo() == null || request.getCorrelationId() == null) {
            LOGGER.warn("request without reply-to or correlation id dropped node={}", endpoint.nodeId());
            return;
        }
        if (current.isEmpty()) {
            runtime.counters().countReplyFailed();
            LOGGER.warn("reply dropped, not connected node={}", endpoint.nodeId());
            return;
        }
        try {
            current.get()
                    .out()
                    .basicPublish(
                            "",
                            request.getReplyTo(),
                            true,
                            Topology.replyProperties(request.getCorrelationId()),
                            ThriftCodec.encode(response));
        } catch (IOException | RuntimeException e) {
            runtime.counters().countReplyFailed();
            LOGGER.warn("reply not sent node={} cause={}", endpoint.nodeId(), e.toString());
        }
    }

    private void acknowledge(Channel channel, long deliveryTag) {
        try {
            channel.basicAck(deliveryTag, false);
        } catch (IOException | RuntimeException e) {
            // The channel is gone and the broker has requeued the message; the API side matches one answer only.
            LOGGER.debug("ack not sent node={} cause={}", endpoint.nodeId(), e.toString());
        }
    }

    /** A timer's beat: nothing may escape it, since a periodic task that throws is never run again. */
    private void beatOnTimer() {
        try {
            beat();
        } catch (RuntimeException e) {
            LOGGER.warn("presence beat failed node={} cause={}", endpoint.nodeId(), e.toString());
        }
    }

    private void beat() {
        followKafka();
        State state = current();
        beat(state.shown(), AttachmentLifecycle.channels(state));
    }

    private void beat(NodeState state, Optional<Channels> on) {
        if (on.isEmpty()) {
            return;
        }
        Channels current = on.get();
        Presence presence = new Presence(
                endpoint.shard(),
                endpoint.nodeId(),
                state,
                endpoint.sessionCount(),
                caller.inflight(),
                heartbeat,
                version,
                endpoint.kafkaReachable());
        try {
            current.out()
                    .basicPublish(
                            Topology.PRESENCE_EXCHANGE,
                            "",
                            false,
                            Topology.presenceProperties(current.expiration()
                                    .encode(heartbeat.multipliedBy(PresenceTracker.MISSED_BEATS), runtime.clock())),
                            presence.encode());
        } catch (IOException | RuntimeException e) {
            LOGGER.debug("presence beat not sent node={} cause={}", endpoint.nodeId(), e.toString());
        }
    }

    private static void abort(Channel channel) {
        try {
            channel.abort();
        } catch (IOException e) {
            LOGGER.debug("channel not aborted cause={}", e.toString());
        }
    }

    /** How long the API node waits for this request; a minute at most when the request does not say. */
    private Duration remaining(AMQP.BasicProperties properties) {
        Optional<Channels> current = AttachmentLifecycle.channels(current());
        try {
            long value = Long.parseLong(properties.getExpiration());
            Duration remaining = current.map(channels -> channels.expiration().remaining(value, runtime.clock()))
                    .orElse(Duration.ZERO);
            return remaining.isNegative() ? Duration.ZERO : remaining;
        } catch (NumberFormatException e) {
            return Duration.ofMinutes(1);
        }
    }
}
