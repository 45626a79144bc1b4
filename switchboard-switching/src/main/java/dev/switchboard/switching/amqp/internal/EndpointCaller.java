package dev.switchboard.switching.amqp.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.SwitchResponses;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.thrift.TException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls a backend endpoint with a request body as it came off the wire, and turns whatever happens into a
 * response: an unreadable body, an endpoint that throws or fails its future, or one that takes longer than
 * the API node waits. Internal failures are logged here and answered INTERNAL without their text. Counts the
 * requests in flight (the node's load, for presence).
 */
final class EndpointCaller {
    private static final Logger LOGGER = LoggerFactory.getLogger(EndpointCaller.class);

    private final BackendEndpoint endpoint;
    private final ScheduledExecutorService scheduler;
    private final AtomicInteger inflight = new AtomicInteger();

    EndpointCaller(BackendEndpoint endpoint, ScheduledExecutorService scheduler) {
        this.endpoint = endpoint;
        this.scheduler = scheduler;
    }

    /** Requests handed to the endpoint and not yet answered. */
    int inflight() {
        return inflight.get();
    }

    /**
     * The endpoint's answer to {@code body}, or an error response; never completes exceptionally. After
     * {@code patience} the answer is UNAVAILABLE (nobody waits for it any more) and the endpoint's late result
     * is dropped. With {@code deadline} (when the API node gives up on it), the endpoint may drop the request unrun
     * once that has passed.
     */
    CompletableFuture<SwitchResponse> call(byte[] body, Duration patience, OptionalLong deadline) {
        SwitchRequest request;
        try {
            request = ThriftCodec.decodeRequest(body);
        } catch (TException e) {
            LOGGER.warn("unreadable request node={} cause={}", endpoint.nodeId(), e.toString());
            return CompletableFuture.completedFuture(
                    SwitchResponses.error(ErrorCode.INVALID_REQUEST, "the request could not be read"));
        }
        inflight.incrementAndGet();
        CompletableFuture<SwitchResponse> answer = new CompletableFuture<>();
        invoke(request, deadline)
                .whenComplete((response, failure) ->
                        answer.complete(failure == null && response != null ? response : internalError(failure)));
        ScheduledFuture<?> timer = scheduler.schedule(
                () -> answer.complete(SwitchResponses.error(ErrorCode.UNAVAILABLE, "the backend took too long")),
                patience.toMillis(),
                TimeUnit.MILLISECONDS);
        answer.whenComplete((response, failure) -> {
            timer.cancel(false);
            inflight.decrementAndGet();
        });
        return answer;
    }

    private CompletableFuture<SwitchResponse> invoke(SwitchRequest request, OptionalLong deadline) {
        try {
            return deadline.isPresent() ? endpoint.handle(request, deadline.getAsLong()) : endpoint.handle(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private SwitchResponse internalError(Throwable failure) {
        LOGGER.error("backend node failed a request shard={} node={}", endpoint.shard(), endpoint.nodeId(), failure);
        return SwitchResponses.error(ErrorCode.INTERNAL, "the backend failed to handle the request");
    }
}
