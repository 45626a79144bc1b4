package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.client.RetryPolicy;
import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.Limits;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A session's calls are signed with its MAC key for as long as the session lives, and never sent unsigned: a call
 * that outlives its session (another call met SESSION_LOST, or the session was disposed) fails as SESSION_LOST, so
 * the publisher moves to a new session instead of failing on the server's UNAUTHENTICATED.
 */
class RpcSessionKeysTest {
    private static final String SESSION = "s0.backend-1.abc";

    private final ScriptedApi api = new ScriptedApi();
    private final ManualClock clock = new ManualClock();
    private final Rpc rpc = new Rpc(
            api,
            new Retrier(
                    RetryPolicy.builder()
                            .budget(Duration.ofSeconds(1))
                            .initialBackoff(Duration.ofMillis(100))
                            .maxBackoff(Duration.ofMillis(100))
                            .jitter(0)
                            .build(),
                    clock::advance,
                    () -> 0.5,
                    clock));

    @Test
    void aCallOnASessionAnotherCallLostFailsAsLostInsteadOfGoingOutUnsigned() throws Exception {
        rpc.allocate(new AllocateRequest("t", SessionMode.WRITE));
        api.writeError = ErrorCode.SESSION_LOST;
        assertThatThrownBy(() -> rpc.write(new WriteRequest(SESSION, 1, List.of())))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(dev.switchboard.protocol.ErrorCode.SESSION_LOST));
        int sent = api.headers.size();

        assertThatThrownBy(() -> rpc.commit(new CommitRequest(SESSION, 1)))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(dev.switchboard.protocol.ErrorCode.SESSION_LOST));
        assertThat(api.headers).hasSize(sent);
        assertThat(api.headers.subList(1, sent)) // after the allocate, every call that went out was signed
                .isNotEmpty()
                .allSatisfy(headers -> assertThat(headers).containsKey(RequestMac.MAC_HEADER));
    }

    @Test
    void aDrainingSessionKeepsItsKeySoTheWriterCanCommitBeforeLeaving() throws Exception {
        rpc.allocate(new AllocateRequest("t", SessionMode.WRITE));
        api.writeError = ErrorCode.DRAINING;
        assertThatThrownBy(() -> rpc.write(new WriteRequest(SESSION, 1, List.of())))
                .isInstanceOf(SwitchboardClientException.class);

        CommitResponse answer = rpc.commit(new CommitRequest(SESSION, 1));

        assertThat(answer.getCommittedSeq()).isEqualTo(1);
        assertThat(api.headers.getLast()).containsKey(RequestMac.MAC_HEADER);
    }

    @Test
    void aDisposedSessionIsNotCalledAgain() throws Exception {
        rpc.allocate(new AllocateRequest("t", SessionMode.WRITE));
        rpc.disposeQuietly(SESSION);
        int sent = api.headers.size();

        assertThatThrownBy(() -> rpc.commit(new CommitRequest(SESSION, 1)))
                .isInstanceOfSatisfying(
                        SwitchboardClientException.class,
                        e -> assertThat(e.code()).isEqualTo(dev.switchboard.protocol.ErrorCode.SESSION_LOST));
        assertThat(api.headers).hasSize(sent);
    }

    @Test
    void aServerThatSendsNoKeyIsCalledUnsigned() throws Exception {
        api.macKey = null;
        rpc.allocate(new AllocateRequest("t", SessionMode.WRITE));

        rpc.commit(new CommitRequest(SESSION, 1));

        assertThat(api.headers.getLast()).doesNotContainKey(RequestMac.MAC_HEADER);
    }

    /** An API that answers from a script and records each call's headers (the SDK side is what is tested). */
    private static final class ScriptedApi implements Exchanger {
        final List<Map<String, String>> headers = new ArrayList<>();
        byte @Nullable [] macKey = new byte[32];
        ErrorCode writeError = ErrorCode.SESSION_LOST;
        private final Switchboard.Processor<Switchboard.Iface> processor =
                new Switchboard.Processor<>((Switchboard.Iface) Proxy.newProxyInstance(
                        Switchboard.Iface.class.getClassLoader(),
                        new Class<?>[] {Switchboard.Iface.class},
                        (proxy, method, args) -> answer(method.getName())));

        private Object answer(String call) throws SwitchboardError {
            return switch (call) {
                case "allocate" -> {
                    AllocateResponse answer = new AllocateResponse(SESSION, new Limits(1, 1, 1, 1, 1, 1, 1, 1));
                    yield macKey == null ? answer : answer.setMacKey(macKey);
                }
                case "write" -> throw new SwitchboardError(writeError, "scripted");
                case "commit" -> new CommitResponse(1);
                case "dispose" -> new DisposeResponse();
                default -> throw new SwitchboardError(ErrorCode.INVALID_REQUEST, "not scripted: " + call);
            };
        }

        @Override
        public byte[] exchange(byte[] message, Duration extraTime) throws TransientFailure {
            return exchange(message, extraTime, Map.of());
        }

        @Override
        public byte[] exchange(byte[] message, Duration extraTime, Map<String, String> headers)
                throws TransientFailure {
            this.headers.add(Map.copyOf(headers));
            try {
                TMemoryBuffer out = new TMemoryBuffer(64);
                processor.process(new TCompactProtocol(new TMemoryInputTransport(message)), new TCompactProtocol(out));
                return Arrays.copyOf(out.getArray(), out.length());
            } catch (TException e) {
                throw new TransientFailure("scripted API failed", e);
            }
        }

        @Override
        public void close() {}
    }
}
