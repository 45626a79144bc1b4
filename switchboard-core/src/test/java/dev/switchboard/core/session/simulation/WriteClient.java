package dev.switchboard.core.session.simulation;

import dev.switchboard.core.session.Rejection;
import dev.switchboard.core.session.WriteMachine;
import dev.switchboard.core.session.WriteMachine.Command;
import dev.switchboard.core.session.WriteMachine.Commit;
import dev.switchboard.core.session.WriteMachine.Open;
import dev.switchboard.core.session.WriteMachine.PublishFailed;
import dev.switchboard.core.session.WriteMachine.Published;
import dev.switchboard.core.session.WriteMachine.Write;
import dev.switchboard.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SDK's side of a write session, one request at a time: it applies each command to its mirror when it sends
 * it, and the backend's answers as events ({@code committed=c} becomes {@code Published(c)}, a failed commit
 * becomes {@code PublishFailed}). An answer to an attempt other than the outstanding one is stale and dropped.
 */
public final class WriteClient {
    private final Channel<Message<Command>> requests;
    private final long lastChunk;
    private final List<String> disagreements = new ArrayList<>();
    private WriteMachine.State mirror;
    private Optional<Message<Command>> outstanding = Optional.empty();
    private long attempts;
    private long answersTaken;
    private long confirmedCommitted;

    WriteClient(WriteMachine.State initial, long chunksToWrite, Channel<Message<Command>> requests) {
        this.mirror = initial;
        this.requests = requests;
        this.confirmedCommitted = open().committed();
        this.lastChunk = confirmedCommitted + chunksToWrite;
    }

    public WriteMachine.State mirror() {
        return mirror;
    }

    /** The highest chunk the backend told this client is committed. */
    public long confirmedCommitted() {
        return confirmedCommitted;
    }

    /** Mirror rejections and error answers: a correct client and backend never produce any. */
    public List<String> disagreements() {
        return List.copyOf(disagreements);
    }

    boolean awaitingAnswer() {
        return outstanding.isPresent();
    }

    /** How many answers the client took (stale ones not counted). */
    long answersTaken() {
        return answersTaken;
    }

    boolean hasUncommitted() {
        return open().staged() > open().committed();
    }

    /**
     * Writes the next chunk, or commits some staged chunks when {@code pick} says so or the window is full. While
     * a commit is outstanding it sometimes stops waiting and goes on: commits are cumulative, so a later commit
     * answers for it (an SDK that pipelines its commits).
     */
    void sendNext(int pick) {
        boolean waitingForCommit =
                outstanding.map(r -> r.body() instanceof Commit).orElse(false);
        if (waitingForCommit && pick % 4 == 1) {
            outstanding = Optional.empty();
        }
        if (outstanding.isPresent()) {
            return;
        }
        Open open = open();
        if (pick % 3 != 0 && !open.windowFull() && open.staged() < lastChunk) {
            send(new Write(open.nextSeq()));
        } else {
            long span = open.staged() - open.committed() + 1;
            send(new Commit(open.committed() + (pick / 3) % span));
        }
    }

    void commitAll() {
        if (outstanding.isEmpty()) {
            send(new Commit(open().staged()));
        }
    }

    /** Sends the outstanding request again as a new attempt (its answer was lost or is late). */
    void retry() {
        outstanding.ifPresent(request -> send(request.body()));
    }

    void onAnswer(Message<WriteAnswer> answer) {
        if (outstanding.isEmpty() || outstanding.get().attempt() != answer.attempt()) {
            return; // stale: an answer to an earlier attempt, or a duplicate
        }
        outstanding = Optional.empty();
        answersTaken++;
        switch (answer.body()) {
            case WriteAnswer.Staged staged -> {}
            case WriteAnswer.CommitDone done -> {
                apply(new Published(done.committed()));
                confirmedCommitted = Math.max(confirmedCommitted, done.committed());
            }
            case WriteAnswer.Failed failed when failed.code() == ErrorCode.UNAVAILABLE -> apply(new PublishFailed());
            case WriteAnswer.Failed failed -> disagreements.add("backend answered " + failed.code());
        }
    }

    private void send(Command command) {
        apply(command);
        Message<Command> request = new Message<>(++attempts, command);
        outstanding = Optional.of(request);
        requests.send(request);
    }

    private void apply(Command command) {
        var transition = WriteMachine.apply(mirror, command);
        mirror = transition.state();
        transition.effects().stream()
                .filter(Rejection.class::isInstance)
                .forEach(r -> disagreements.add("mirror rejected " + command + ": " + r));
    }

    private Open open() {
        return (Open) mirror;
    }
}
