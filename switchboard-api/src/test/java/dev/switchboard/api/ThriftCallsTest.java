package dev.switchboard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.AllocateRequest;
import dev.switchboard.protocol.thrift.AllocateResponse;
import dev.switchboard.protocol.thrift.CommitRequest;
import dev.switchboard.protocol.thrift.CommitResponse;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.ErrorCode;
import dev.switchboard.protocol.thrift.Event;
import dev.switchboard.protocol.thrift.ReadRequest;
import dev.switchboard.protocol.thrift.ReadResponse;
import dev.switchboard.protocol.thrift.SessionMode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchboardError;
import dev.switchboard.protocol.thrift.WriteRequest;
import dev.switchboard.protocol.thrift.WriteResponse;
import dev.switchboard.switching.LocalSwitch;
import dev.switchboard.switching.Switch;
import dev.switchboard.testkit.ThriftOverHttp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The six calls over real HTTP, through a {@link LocalSwitch}, to a deterministic test backend. */
class ThriftCallsTest {
    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(500);

    private static LocalSwitch sw;
    private static Switch.Attachment attachment;
    private static TestBackend backend;
    private static ApiServer server;
    private static ThriftOverHttp client;

    @BeforeAll
    static void startServer() {
        sw = new LocalSwitch();
        backend = new TestBackend();
        attachment = sw.attach(backend);
        server = ApiServer.start(ApiConfig.defaults().withPort(0).withRequestTimeout(REQUEST_TIMEOUT), sw);
        client = new ThriftOverHttp(server.uri());
    }

    @AfterAll
    static void stopServer() {
        server.close();
        attachment.close();
        sw.close();
    }

    @Test
    void allocateReturnsTheBackendsSession() throws Exception {
        // Given a read allocation
        AllocateRequest request = new AllocateRequest("orders", SessionMode.READ);

        // When
        AllocateResponse response = client.allocate(request);

        // Then
        assertThat(response.getSessionId()).isEqualTo(TestBackend.SESSION);
        assertThat(response.getCursor()).isEqualTo("cursor-0");
        assertThat(response.getLimits().getMaxEventsPerRead()).isEqualTo(100);
    }

    @Test
    void withoutTokensAClientSentPrincipalNeverReachesTheBackend() throws Exception {
        // given a writer naming a principal on a node without tokens
        AllocateRequest request = new AllocateRequest("orders", SessionMode.WRITE).setPrincipal("mallory");

        // when it allocates
        client.allocate(request);

        // then the backend gets no principal
        AllocateRequest arrived = backend.received().stream()
                .filter(SwitchRequest::isSetAllocate)
                .map(SwitchRequest::getAllocate)
                .reduce((first, second) -> second)
                .orElseThrow();
        assertThat(arrived.isSetPrincipal()).isFalse();
    }

    @Test
    void readReturnsTheBatchWithItsEvents() throws Exception {
        // Given
        ReadRequest request =
                new ReadRequest(TestBackend.SESSION, 7).setMaxEvents(2).setMaxWaitMs(100);

        // When
        ReadResponse response = client.read(request);

        // Then
        assertThat(response.getSeq()).isEqualTo(7);
        assertThat(response.getEvents()).extracting(ThriftCallsTest::payload).containsExactly("event-7-0", "event-7-1");
        assertThat(lastReceived().getRead().getMaxWaitMs()).isEqualTo(100);
    }

    @Test
    void ackReturnsTheNewCursor() throws Exception {
        AckResponse response = client.ack(new AckRequest(TestBackend.SESSION, 4));

        assertThat(response.getSeq()).isEqualTo(4);
        assertThat(response.getCursor()).isEqualTo("cursor-4");
    }

    @Test
    void writeStagesTheChunk() throws Exception {
        // Given a chunk of two events
        List<Event> events = List.of(event("a"), event("b"));

        // When
        WriteResponse response = client.write(new WriteRequest(TestBackend.SESSION, 5, events));

        // Then the backend got the events intact
        assertThat(response.getSeq()).isEqualTo(5);
        assertThat(response.getStagedSeq()).isEqualTo(5);
        assertThat(lastReceived().getWrite().getEvents())
                .extracting(ThriftCallsTest::payload)
                .containsExactly("a", "b");
    }

    @Test
    void commitReturnsTheCommittedSeq() throws Exception {
        CommitResponse response = client.commit(new CommitRequest(TestBackend.SESSION, 5));

        assertThat(response.getCommittedSeq()).isEqualTo(5);
    }

    @Test
    void disposeAnswers() throws Exception {
        DisposeResponse response = client.dispose(new DisposeRequest(TestBackend.SESSION));

        assertThat(response).isNotNull();
        assertThat(lastReceived().isSetDispose()).isTrue();
    }

    @Test
    void backendErrorArrivesIntactAsSwitchboardError() {
        // Given an ack the backend answers with OUT_OF_SEQUENCE
        AckRequest request = new AckRequest(TestBackend.SESSION, TestBackend.OUT_OF_SEQUENCE_SEQ);

        // When / Then
        assertThatThrownBy(() -> client.ack(request)).isInstanceOfSatisfying(SwitchboardError.class, error -> {
            assertThat(error.getCode()).isEqualTo(ErrorCode.OUT_OF_SEQUENCE);
            assertThat(error.getMessage()).isEqualTo("expected seq 3");
            assertThat(error.isSetExpectedSeq()).isTrue();
            assertThat(error.getExpectedSeq()).isEqualTo(TestBackend.EXPECTED_SEQ);
        });
    }

    @Test
    void unknownNodeInSessionIdIsSessionLost() {
        AckRequest request = new AckRequest(TestBackend.SHARD + ".ghost.abc123", 1);

        assertThatThrownBy(() -> client.ack(request))
                .isInstanceOfSatisfying(
                        SwitchboardError.class,
                        error -> assertThat(error.getCode()).isEqualTo(ErrorCode.SESSION_LOST));
    }

    @Test
    void malformedSessionIdIsInvalidRequestAndNeverReachesTheBackend() {
        // Given
        int before = backend.received().size();
        ReadRequest request = new ReadRequest("not a session id", 1);

        // When / Then
        assertThatThrownBy(() -> client.read(request)).isInstanceOfSatisfying(SwitchboardError.class, error -> {
            assertThat(error.getCode()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(error.getMessage()).startsWith("malformed session id");
        });
        assertThat(backend.received()).hasSize(before);
    }

    @Test
    void blankTopicIsInvalidRequest() {
        assertThatThrownBy(() -> client.allocate(new AllocateRequest(" ", SessionMode.WRITE)))
                .isInstanceOfSatisfying(
                        SwitchboardError.class,
                        error -> assertThat(error.getCode()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    @Test
    void backendSlowerThanTheDeadlineIsUnavailable() {
        // Given a commit the backend never answers
        CommitRequest request = new CommitRequest(TestBackend.SESSION, TestBackend.NEVER_ANSWERED_SEQ);

        // When / Then it fails by the request timeout (a Switchboard answer, not the HTTP client's timeout)
        assertThatThrownBy(() -> client.commit(request)).isInstanceOfSatisfying(SwitchboardError.class, error -> {
            assertThat(error.getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(error.getMessage()).contains("did not answer in time");
        });
    }

    private static SwitchRequest lastReceived() {
        List<SwitchRequest> received = backend.received();
        return received.getLast();
    }

    private static Event event(String payload) {
        return new Event(ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)));
    }

    private static String payload(Event event) {
        ByteBuffer payload = event.bufferForPayload().duplicate();
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
