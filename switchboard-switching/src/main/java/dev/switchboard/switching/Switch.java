package dev.switchboard.switching;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Carries one request from an API node to the backend node that must handle it, and its answer back.
 *
 * <p>Futures never complete exceptionally for protocol problems: a switch-level failure (no backend, node
 * gone, deadline passed) completes with a {@link SwitchResponse} holding the error, exactly as a backend
 * error would. Requests and responses must not be mutated after they are handed to the switch.
 */
public interface Switch extends AutoCloseable {

    /** API side: hand an allocate request to some live, non-draining backend node chosen by the switch. */
    CompletableFuture<SwitchResponse> allocate(String affinity, SwitchRequest request, Duration timeout);

    /** API side: hand a request to the node hosting {@code session}; SESSION_LOST when that node is gone. */
    CompletableFuture<SwitchResponse> forward(SessionId session, SwitchRequest request, Duration timeout);

    /** Backend side: connect a node; it receives requests until the returned attachment is closed. */
    Attachment attach(BackendEndpoint endpoint);

    /** True while the switch can reach at least one backend node (readiness). */
    boolean ready();

    @Override
    void close();

    /** A backend node's connection to the switch. */
    interface Attachment extends AutoCloseable {
        /** Stop receiving new sessions; requests for existing sessions keep arriving. */
        void drain();

        /** Detach: no more requests of any kind; requests for this node answer SESSION_LOST. */
        @Override
        void close();
    }
}
