package dev.switchboard.api.internal;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.Switch;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/** A switch for unit tests: answers with a given function and records what it was handed, deadlines included. */
final class RecordingSwitch implements Switch {
    record Sent(Optional<String> affinity, Optional<SessionId> session, SwitchRequest request, Duration timeout) {}

    private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    private final Function<SwitchRequest, CompletableFuture<SwitchResponse>> answers;

    RecordingSwitch(Function<SwitchRequest, CompletableFuture<SwitchResponse>> answers) {
        this.answers = answers;
    }

    List<Sent> sent() {
        return List.copyOf(sent);
    }

    @Override
    public CompletableFuture<SwitchResponse> allocate(String affinity, SwitchRequest request, Duration timeout) {
        sent.add(new Sent(Optional.of(affinity), Optional.empty(), request, timeout));
        return answers.apply(request);
    }

    @Override
    public CompletableFuture<SwitchResponse> forward(SessionId session, SwitchRequest request, Duration timeout) {
        sent.add(new Sent(Optional.empty(), Optional.of(session), request, timeout));
        return answers.apply(request);
    }

    @Override
    public Attachment attach(BackendEndpoint endpoint) {
        throw new UnsupportedOperationException("API-side tests attach no backend");
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public void close() {}
}
