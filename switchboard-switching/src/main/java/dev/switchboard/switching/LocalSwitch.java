package dev.switchboard.switching;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process switch: a direct hand-off from API node to backend node inside one JVM, used by standalone
 * mode and tests. New sessions go round-robin over the attached, non-draining nodes.
 */
public final class LocalSwitch implements Switch {
    private static final Logger LOGGER = LoggerFactory.getLogger(LocalSwitch.class);

    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final AtomicLong allocations = new AtomicLong();

    private record Node(BackendEndpoint endpoint, boolean draining) {
        String key() {
            return key(endpoint.shard(), endpoint.nodeId());
        }

        static String key(String shard, String nodeId) {
            return shard + "." + nodeId;
        }
    }

    @Override
    public CompletableFuture<SwitchResponse> allocate(String affinity, SwitchRequest request, Duration timeout) {
        List<Node> live = nodes.values().stream()
                .filter(node -> !node.draining() && node.endpoint().kafkaReachable())
                .toList();
        if (live.isEmpty()) {
            boolean withoutKafka = nodes.values().stream().anyMatch(node -> !node.draining());
            return CompletableFuture.completedFuture(SwitchResponses.error(
                    ErrorCode.UNAVAILABLE,
                    withoutKafka
                            ? "no backend node reaches Kafka (Kafka unavailable); retry later"
                            : "no backend node is taking new sessions"));
        }
        Node chosen = live.get((int) Math.floorMod(allocations.getAndIncrement(), (long) live.size()));
        return deliver(chosen.endpoint(), request, timeout);
    }

    @Override
    public CompletableFuture<SwitchResponse> forward(SessionId session, SwitchRequest request, Duration timeout) {
        Node node = nodes.get(Node.key(session.shard(), session.node()));
        if (node == null) {
            return CompletableFuture.completedFuture(SwitchResponses.error(
                    ErrorCode.SESSION_LOST, "the node hosting this session is gone; allocate a new session"));
        }
        return deliver(node.endpoint(), request, timeout);
    }

    private static CompletableFuture<SwitchResponse> deliver(
            BackendEndpoint endpoint, SwitchRequest request, Duration timeout) {
        CompletableFuture<SwitchResponse> answer;
        try {
            answer = endpoint.handle(request);
        } catch (RuntimeException e) {
            LOGGER.error("backend node {} failed a request", endpoint.nodeId(), e);
            return CompletableFuture.completedFuture(
                    SwitchResponses.error(ErrorCode.INTERNAL, "the backend failed to handle the request"));
        }
        // Time out a copy: the endpoint's own future is the backend's to complete, not ours to fail.
        return answer.copy()
                .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .exceptionally(failure -> {
                    if (failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException) {
                        return SwitchResponses.error(ErrorCode.UNAVAILABLE, "the backend did not answer in time");
                    }
                    LOGGER.error("backend node {} failed a request", endpoint.nodeId(), failure);
                    return SwitchResponses.error(ErrorCode.INTERNAL, "the backend failed to handle the request");
                });
    }

    @Override
    public Attachment attach(BackendEndpoint endpoint) {
        Node node = new Node(endpoint, false);
        if (nodes.putIfAbsent(node.key(), node) != null) {
            throw new IllegalStateException("node " + node.key() + " is already attached");
        }
        LOGGER.info("backend node attached shard={} node={}", endpoint.shard(), endpoint.nodeId());
        return new Attachment() {
            @Override
            public void drain() {
                nodes.computeIfPresent(node.key(), (key, current) -> new Node(current.endpoint(), true));
            }

            @Override
            public void close() {
                nodes.remove(node.key());
                LOGGER.info("backend node detached shard={} node={}", endpoint.shard(), endpoint.nodeId());
            }
        };
    }

    @Override
    public boolean ready() {
        return nodes.values().stream()
                .anyMatch(node -> !node.draining() && node.endpoint().kafkaReachable());
    }

    @Override
    public void close() {
        nodes.clear();
    }
}
