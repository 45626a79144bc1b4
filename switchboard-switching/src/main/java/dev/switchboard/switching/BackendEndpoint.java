package dev.switchboard.switching;

import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/** A backend node as the switch sees it: where it lives and how it answers requests. */
public interface BackendEndpoint {
    /** The shard this node belongs to. */
    String shard();

    /** The node's id, unique within its shard; session ids embed it. */
    String nodeId();

    /** Handles one request; errors come back as a response holding the error, never as an exception. */
    CompletableFuture<SwitchResponse> handle(SwitchRequest request);

    /**
     * Handles one request whose sender stops waiting for its answer at {@code deadlineMillis} (epoch milliseconds;
     * nodes' clocks are assumed in sync, as the request MAC window already assumes): a node may drop it unrun when
     * it is still queued by then (behind its session's earlier requests), answering UNAVAILABLE, which nobody
     * waits for any more. By default as {@link #handle(SwitchRequest)}.
     */
    default CompletableFuture<SwitchResponse> handle(SwitchRequest request, long deadlineMillis) {
        return handle(request);
    }

    /** How many sessions the node hosts now, for presence and metrics; empty when it does not say. */
    default OptionalInt sessionCount() {
        return OptionalInt.empty();
    }

    /**
     * True while the node reaches its Kafka cluster (as of its last check). A node that does not reach Kafka
     * says so in its presence beats and is neither ready nor given new sessions.
     */
    default boolean kafkaReachable() {
        return true;
    }
}
