package dev.switchboard.switching.amqp.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.SwitchResponses;
import dev.switchboard.switching.amqp.internal.SwitchOutcomes.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An API node's end of one shard: publishes requests to the shard's broker and matches the answers on its
 * exclusive reply queue by correlation id; also listens to the shard's presence beats.
 *
 * <p>Implementation notes: each request waits in {@code pending} until exactly one of five things claims it by
 * removing it: its reply, its basic.return (the node's queue is gone: SESSION_LOST at once), its deadline
 * (UNAVAILABLE), the loss of the connection (UNAVAILABLE), or, for a request to a node that was live when it was
 * sent, that node's disappearance from presence (it left, or missed three beats: SESSION_LOST). The last one is
 * for a node killed while it held requests: they vanish with its queue, and without it they would wait for
 * their deadline. Futures are completed on virtual threads, never on
 * the client library's threads, so callers may block in their continuations. Requests are published
 * {@code mandatory} without publisher confirms: the return is what matters, and brokers differ on confirming an
 * unroutable message (RabbitMQ acks it, Qpid nacks it).
 */
public final class ApiShard implements ShardConnection.Handler, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ApiShard.class);
    private static final Duration SWEEP_INTERVAL = Duration.ofMillis(250);
    /**
     * The largest request the switch publishes: above the API's request limit (9 MiB) and the backend's chunk limit
     * (8 MiB), below the brokers' own (RabbitMQ 4: 16 MiB; Qpid and RabbitMQ 3: more).
     */
    public static final int MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

    /**
     * Replies the broker may push to this node before it acknowledges them ({@code basic.qos}); the rest wait in the
     * broker, so whoever holds the broker's credentials cannot flood this node's heap through its reply queue.
     */
    static final int REPLY_PREFETCH = 256;

    /** Presence beats and probes the broker may push before this node acknowledges them. */
    static final int BEAT_PREFETCH = 64;

    /**
     * Deliveries are acknowledged together (multiple) every this many, on receipt: fewer ack frames on the hot path.
     * Below both prefetches, so a consumer at its prefetch always gets an ack that frees it.
     */
    static final int ACK_EVERY = 16;

    private final String shard;
    private final String replyQueue;
    private final PresenceTracker presence;
    private final SwitchRuntime runtime;
    private final ShardConnection connection;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> sweeper;
    /** Correlation ids are random: whoever sees some on the broker cannot guess the next one to answer it. */
    private static final SecureRandom IDS = correlationRandom();

    private final SwitchOutcomes outcomes;
    /** The channel requests go out on, and how its broker reads expirations; null while disconnected. */
    private volatile @Nullable Link link;

    /**
     * The channel requests go out on, how its broker reads expirations, and when it opened: a broker that has just
     * come back holds no node queues until each node has reattached, which its first beat since then shows.
     */
    private record Link(Channel publisher, ExpirationStyle expiration, String beats, Instant openedAt) {}

    /**
     * Acknowledges one channel's deliveries every {@link #ACK_EVERY}, at once (multiple) and on receipt, before they
     * are handled: handling is quick and never fails a delivery back to the broker (replies to nobody are dropped,
     * unreadable beats ignored). Used by the channel's one dispatch thread only (the client library runs a channel's
     * consumers one delivery at a time), so the count needs no lock.
     */
    private static final class Acks {
        private final Channel channel;
        private int unacked;

        Acks(Channel channel) {
            this.channel = channel;
        }

        void received(Delivery delivery) {
            if (++unacked < ACK_EVERY) {
                return;
            }
            unacked = 0;
            try {
                channel.basicAck(delivery.getEnvelope().getDeliveryTag(), true);
            } catch (IOException | RuntimeException e) {
                // the channel is closing: its shutdown listener starts over on a fresh one
                LOGGER.debug("ack failed: {}", e.toString());
            }
        }
    }

    /** The presence messages waiting in the broker for this node (tests: what basic.qos leaves there). */
    int presenceBacklog() throws IOException {
        Link current = link;
        if (current == null) {
            throw new IOException("not connected");
        }
        return current.publisher().queueDeclarePassive(current.beats()).getMessageCount();
    }

    /** A request waiting for its answer; {@code node} is set for a request to a node that was live when sent. */
    private record Pending(CompletableFuture<SwitchResponse> answer, Optional<String> node) {}

    public ApiShard(
            String shard,
            URI uri,
            String connectionName,
            String replyQueue,
            PresenceTracker presence,
            SwitchRuntime runtime,
            MeterRegistry meters) {
        this.shard = shard;
        this.outcomes = new SwitchOutcomes(meters, shard);
        this.replyQueue = replyQueue;
        this.presence = presence;
        this.runtime = runtime;
        this.connection = new ShardConnection(
                shard, connectionName, runtime.connectionFactory(uri), this, runtime.scheduler(), runtime.executor());
        this.sweeper = runtime.scheduler()
                .scheduleWithFixedDelay(
                        this::sweep, SWEEP_INTERVAL.toMillis(), SWEEP_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String shard() {
        return shard;
    }

    /** How often, and how many times, an allocate answer from a node presence does not know yet is checked again. */
    private static final Duration PRESENCE_GRACE_STEP = Duration.ofMillis(50);

    private static final int PRESENCE_GRACE_CHECKS = 20;

    public void connect() {
        connection.connect();
    }

    public boolean isConnected() {
        return link != null && connection.isOpen();
    }

    /**
     * Hands an allocate request to whichever serving node of the shard takes it first. The answer's session id
     * must name this shard and a node its presence beats announce; anything else (a forged answer from someone
     * holding the broker's credentials, handing out a victim's session) is refused as UNAVAILABLE, logged at WARN
     * and counted, and never reaches the client (the API would mint a MAC key for it).
     */
    public CompletableFuture<SwitchResponse> allocate(SwitchRequest request, Duration timeout) {
        return send("", Topology.ALLOCATION_QUEUE, Optional.empty(), request, timeout)
                .thenCompose(response -> checkedAllocation(response, PRESENCE_GRACE_CHECKS));
    }

    /**
     * Checks an allocate answer, looking again every {@link #PRESENCE_GRACE_STEP} while its node is not (yet) known:
     * a node that has just attached can answer before its first beat reaches this API node, since the beat and the
     * answer travel different queues. After the grace, an unknown node is refused.
     */
    private CompletableFuture<SwitchResponse> checkedAllocation(SwitchResponse response, int checksLeft) {
        if (!response.isSetAllocate()) {
            return CompletableFuture.completedFuture(response);
        }
        String sessionId = response.getAllocate().getSessionId();
        String why;
        try {
            SessionId id = SessionId.parse(sessionId);
            if (!shard.equals(id.shard())) {
                why = "names shard " + id.shard();
            } else if (presence.isLive(shard, id.node())) {
                return CompletableFuture.completedFuture(response);
            } else if (checksLeft > 0) {
                CompletableFuture<SwitchResponse> later = new CompletableFuture<>();
                runtime.scheduler()
                        .schedule(
                                () -> checkedAllocation(response, checksLeft - 1)
                                        .whenComplete((answer, failure) -> {
                                            if (failure != null) {
                                                later.completeExceptionally(failure);
                                            } else {
                                                later.complete(answer);
                                            }
                                        }),
                                PRESENCE_GRACE_STEP.toMillis(),
                                TimeUnit.MILLISECONDS);
                return later;
            } else {
                why = "names node " + id.node() + ", which this shard's presence does not know";
            }
        } catch (RuntimeException e) {
            why = "is not a session id";
        }
        runtime.counters().countAllocateAnswerRefused();
        LOGGER.warn("allocate answer refused shard={} reason=the session id {}", shard, why);
        return CompletableFuture.completedFuture(SwitchResponses.error(
                ErrorCode.UNAVAILABLE, "the backend's allocate answer could not be trusted; allocate again"));
    }

    private static String correlationId() {
        byte[] bytes = new byte[16];
        IDS.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static SecureRandom correlationRandom() {
        try {
            return SecureRandom.getInstance("DRBG"); // in-process: no read of /dev/urandom per id
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    /** Hands a request to node {@code nodeId}; SESSION_LOST at once when the node's queue is gone. */
    public CompletableFuture<SwitchResponse> forward(String nodeId, SwitchRequest request, Duration timeout) {
        Optional<String> watched = presence.isLive(shard, nodeId) ? Optional.of(nodeId) : Optional.empty();
        return send(Topology.NODES_EXCHANGE, nodeId, watched, request, timeout);
    }

    @Override
    public void opened(Connection fresh) throws IOException {
        Channel consumer = fresh.createChannel();
        Topology.declareExchanges(consumer);
        consumer.queueDeclare(replyQueue, false, true, true, null);
        String beats = consumer.queueDeclare().getQueue();
        consumer.queueBind(beats, Topology.PRESENCE_EXCHANGE, "");
        // Manual acks, so basic.qos bounds what waits in this node: autoAck would let the broker push everything.
        Acks acks = new Acks(consumer);
        consumer.basicQos(REPLY_PREFETCH); // per consumer: applies to the consumer started next
        consumer.basicConsume(
                replyQueue,
                false,
                (tag, delivery) -> {
                    acks.received(delivery);
                    onReply(delivery);
                },
                tag -> {});
        consumer.basicQos(BEAT_PREFETCH);
        consumer.basicConsume(
                beats,
                false,
                (tag, delivery) -> {
                    acks.received(delivery);
                    onBeat(delivery);
                },
                tag -> {});
        Channel channel = fresh.createChannel();
        channel.addReturnListener(this::onReturn);
        consumer.addShutdownListener(this::channelClosed);
        channel.addShutdownListener(this::channelClosed);
        link = new Link(
                channel, ExpirationStyle.of(fresh), beats, runtime.clock().instant());
    }

    /**
     * A channel closed by the broker for a channel-level error while the connection stays up (a dead channel would
     * otherwise fail every request, or leave replies unread, for good): start over on a fresh connection.
     */
    private void channelClosed(ShutdownSignalException cause) {
        if (cause.isHardError() || cause.isInitiatedByApplication() || link == null) {
            return;
        }
        runtime.counters().countChannelRecovered();
        LOGGER.warn("channel closed by the broker, reconnecting shard={} reason={}", shard, cause.getMessage());
        link = null;
        failAll("the channel to the shard's broker failed; retry");
        runtime.executor().execute(connection::reopen); // not on the client's I/O thread, which abort waits for
    }

    @Override
    public void lost() {
        link = null;
        failAll("lost the connection to the shard's broker; retry");
    }

    @Override
    public void close() {
        sweeper.cancel(false);
        link = null;
        connection.close();
        failAll("the switch is closing");
    }

    private CompletableFuture<SwitchResponse> send(
            String exchange, String routingKey, Optional<String> node, SwitchRequest request, Duration timeout) {
        Link current = link;
        if (current == null) {
            outcomes.count(Outcome.UNREACHABLE);
            return unavailable("the shard's broker is unreachable; retry");
        }
        if (timeout.toMillis() <= 0) {
            return unavailable("the request's deadline has passed");
        }
        byte[] body = ThriftCodec.encode(request);
        if (body.length > MAX_MESSAGE_BYTES) {
            // Refused here: a message over the broker's limit would close the channel under every other request.
            runtime.counters().countOversizedRequestRefused();
            return CompletableFuture.completedFuture(SwitchResponses.error(
                    ErrorCode.PAYLOAD_TOO_LARGE,
                    "the request is " + body.length + " bytes; the switch carries at most " + MAX_MESSAGE_BYTES));
        }
        String id = correlationId();
        CompletableFuture<SwitchResponse> answer = new CompletableFuture<>();
        pending.put(id, new Pending(answer, node));
        // Scheduled after the put, so even a tiny deadline finds the request to claim.
        ScheduledFuture<?> timer = runtime.scheduler()
                .schedule(
                        () -> claim(id, Outcome.TIMEOUT, ErrorCode.UNAVAILABLE, "the backend did not answer in time"),
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
        answer.whenComplete((response, failure) -> timer.cancel(false));
        AMQP.BasicProperties properties = Topology.requestProperties(
                replyQueue,
                id,
                current.expiration().encode(timeout, runtime.clock()),
                runtime.clock().millis() + timeout.toMillis());
        try {
            current.publisher().basicPublish(exchange, routingKey, true, properties, body);
            LOGGER.debug("request sent shard={} to={} correlation={}", shard, routingKey, id);
        } catch (IOException | RuntimeException e) {
            LOGGER.debug("request not sent shard={} cause={}", shard, e.toString());
            claim(id, Outcome.UNREACHABLE, ErrorCode.UNAVAILABLE, "the shard's broker is unreachable; retry");
        }
        return answer;
    }

    private void onReply(Delivery delivery) {
        String id = delivery.getProperties().getCorrelationId();
        Pending waiting = id == null ? null : pending.remove(id);
        if (waiting == null) {
            LOGGER.debug("late or unknown reply dropped shard={} correlation={}", shard, id);
            return;
        }
        outcomes.count(Outcome.OK);
        SwitchResponse response;
        try {
            response = ThriftCodec.decodeResponse(delivery.getBody());
        } catch (TException e) {
            LOGGER.warn("unreadable reply shard={} correlation={} cause={}", shard, id, e.toString());
            response = SwitchResponses.error(ErrorCode.INTERNAL, "the backend's answer could not be read");
        }
        complete(waiting.answer(), response);
    }

    /**
     * True while a node may still be reattaching after this API node reconnected to the shard's broker: presence
     * knew it (it did not leave), it has not beaten since the reconnect, and the presence timeout since then has not
     * passed (after it, the node is gone). A node never heard of, or one that left, is not reattaching.
     */
    private boolean reattaching(String node) {
        Link current = link;
        if (current == null) {
            return false;
        }
        Instant now = runtime.clock().instant();
        return presence.silentSince(shard, node, current.openedAt())
                && now.isBefore(current.openedAt().plus(presence.timeout()));
    }

    private void onReturn(Return returned) {
        String id = returned.getProperties().getCorrelationId();
        if (id == null) {
            return;
        }
        if (Topology.NODES_EXCHANGE.equals(returned.getExchange())) {
            String node = returned.getRoutingKey();
            if (reattaching(node)) {
                // The broker came back (its queues with it gone) and the node has not redeclared its queue yet: the
                // node and its sessions are alive, so the client retries the same session instead of losing it.
                LOGGER.debug("node queue not back yet after a reconnect shard={} node={}", shard, node);
                claim(
                        id,
                        Outcome.RETURNED,
                        ErrorCode.UNAVAILABLE,
                        "the node hosting this session has not reattached to the shard's broker yet; retry");
                return;
            }
            LOGGER.debug("node queue gone shard={} node={}", shard, node);
            claim(
                    id,
                    Outcome.RETURNED,
                    ErrorCode.SESSION_LOST,
                    "the node hosting this session is gone; allocate a new session");
        } else {
            claim(id, Outcome.RETURNED, ErrorCode.UNAVAILABLE, "no backend node is taking new sessions on this shard");
        }
    }

    private void onBeat(Delivery delivery) {
        if (Topology.PROBE_TYPE.equals(delivery.getProperties().getType())) {
            Topology.probeSentAt(delivery.getBody())
                    .ifPresentOrElse(
                            sentAt -> presence.probe(shard, sentAt),
                            () -> LOGGER.debug("unreadable presence probe ignored shard={}", shard));
            return;
        }
        Presence.decode(delivery.getBody())
                .ifPresentOrElse(
                        presence::beat, () -> LOGGER.debug("unreadable presence beat ignored shard={}", shard));
    }

    private void claim(String id, Outcome outcome, ErrorCode code, String message) {
        Pending waiting = pending.remove(id);
        if (waiting != null) {
            outcomes.count(outcome);
            complete(waiting.answer(), SwitchResponses.error(code, message));
        }
    }

    private void sweep() {
        sendProbe();
        failRequestsToVanishedNodes();
    }

    /**
     * Sends this node a probe through its own presence queue (the default exchange, so no other node gets it): when
     * it is read back, every beat queued before it has been read ({@link PresenceTracker#probe}). Published on a
     * virtual thread, so a blocked connection never holds up the timers; a probe that is late only makes the
     * tracker slower to call a node gone.
     */
    private void sendProbe() {
        Link current = link;
        if (current == null) {
            return;
        }
        try {
            runtime.executor().execute(() -> {
                try {
                    current.publisher()
                            .basicPublish(
                                    "",
                                    current.beats(),
                                    false,
                                    Topology.probeProperties(
                                            current.expiration().encode(presence.timeout(), runtime.clock())),
                                    Topology.probeBody(runtime.clock().instant()));
                } catch (IOException | RuntimeException e) {
                    LOGGER.debug("presence probe not sent shard={} cause={}", shard, e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // the switch is closing
        }
    }

    /** Claims the requests whose node was live when they were sent and is gone now. */
    private void failRequestsToVanishedNodes() {
        try {
            pending.forEach((id, waiting) -> waiting.node()
                    .filter(node -> !presence.isLive(shard, node))
                    .ifPresent(node -> {
                        LOGGER.debug("node gone with a request in flight shard={} node={}", shard, node);
                        claim(
                                id,
                                Outcome.NODE_GONE,
                                ErrorCode.SESSION_LOST,
                                "the node hosting this session is gone; allocate a new session");
                    }));
        } catch (RuntimeException e) {
            LOGGER.warn("sweep of requests to vanished nodes failed shard={}", shard, e); // keep the sweeper alive
        }
    }

    private void failAll(String message) {
        pending.keySet().forEach(id -> claim(id, Outcome.UNREACHABLE, ErrorCode.UNAVAILABLE, message));
    }

    private void complete(CompletableFuture<SwitchResponse> waiting, SwitchResponse response) {
        try {
            runtime.executor().execute(() -> waiting.complete(response));
        } catch (RejectedExecutionException e) {
            waiting.complete(response); // the switch is closing: no threads left to hand over to
        }
    }

    private static CompletableFuture<SwitchResponse> unavailable(String message) {
        return CompletableFuture.completedFuture(SwitchResponses.error(ErrorCode.UNAVAILABLE, message));
    }
}
