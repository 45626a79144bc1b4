package dev.switchboard.switching.amqp.internal;

import dev.switchboard.core.routing.RendezvousHashing;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.SwitchResponses;
import dev.switchboard.switching.amqp.NodeState;
import dev.switchboard.switching.amqp.ShardStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API node's side of the switch: one {@link ApiShard} per configured shard, and the routing between them.
 * A new session goes to the shard that rendezvous hashing picks for its affinity among the shards that take
 * sessions (broker reachable, some node serving); a request of an existing session goes to the shard and node
 * its id names.
 */
public final class ApiSide implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ApiSide.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, ApiShard> shards;
    private final PresenceTracker presence;

    private ApiSide(Map<String, ApiShard> shards, PresenceTracker presence) {
        this.shards = shards;
        this.presence = presence;
    }

    /** Connects to every shard (in parallel; shards that are down keep being retried in the background). */
    public static ApiSide connect(
            Map<String, URI> shardUris,
            String nodeId,
            Duration presenceTimeout,
            SwitchRuntime runtime,
            MeterRegistry meters) {
        String replyQueue = Topology.replyQueue(nodeId, randomInstance());
        PresenceTracker presence = new PresenceTracker(runtime.clock(), presenceTimeout);
        Map<String, ApiShard> shards = new LinkedHashMap<>();
        shardUris.forEach((name, uri) -> shards.put(
                name,
                new ApiShard(
                        name, uri, "switchboard-api-" + nodeId + "-" + name, replyQueue, presence, runtime, meters)));
        CompletableFuture.allOf(shards.values().stream()
                        .map(shard -> CompletableFuture.runAsync(shard::connect, runtime.executor()))
                        .toArray(CompletableFuture[]::new))
                .join();
        LOGGER.info("API side started node={} shards={}", nodeId, shards.keySet());
        return new ApiSide(shards, presence);
    }

    public CompletableFuture<SwitchResponse> allocate(String affinity, SwitchRequest request, Duration timeout) {
        List<String> open = shards.values().stream()
                .filter(shard -> shard.isConnected() && presence.hasServingNode(shard.shard()))
                .map(ApiShard::shard)
                .toList();
        return RendezvousHashing.choose(affinity, open)
                .map(chosen -> {
                    LOGGER.debug("allocating shard={}", chosen);
                    return java.util.Objects.requireNonNull(shards.get(chosen)).allocate(request, timeout);
                })
                .orElseGet(() -> CompletableFuture.completedFuture(
                        SwitchResponses.error(ErrorCode.UNAVAILABLE, noNodeMessage())));
    }

    /** Why no node takes the session: says so when serving nodes exist but none of them reaches Kafka. */
    private String noNodeMessage() {
        boolean servingWithoutKafka = status().stream()
                .filter(ShardStatus::connected)
                .flatMap(shard -> shard.nodes().stream())
                .anyMatch(node -> node.state() == NodeState.SERVING && !node.kafkaReachable());
        return servingWithoutKafka
                ? "no backend node reaches Kafka (Kafka unavailable); retry later"
                : "no backend node is taking new sessions";
    }

    public CompletableFuture<SwitchResponse> forward(SessionId session, SwitchRequest request, Duration timeout) {
        ApiShard shard = shards.get(session.shard());
        if (shard == null) {
            LOGGER.debug("session names an unknown shard shard={}", session.shard());
            return CompletableFuture.completedFuture(SwitchResponses.error(
                    ErrorCode.SESSION_LOST, "the session id names no shard of this cluster; allocate a new session"));
        }
        return shard.forward(session.node(), request, timeout);
    }

    /** True when some shard takes new sessions. */
    public boolean ready() {
        return status().stream().anyMatch(ShardStatus::takesSessions);
    }

    public List<ShardStatus> status() {
        return shards.values().stream()
                .map(shard -> new ShardStatus(shard.shard(), shard.isConnected(), presence.nodes(shard.shard())))
                .toList();
    }

    @Override
    public void close() {
        shards.values().forEach(ApiShard::close);
    }

    private static String randomInstance() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
