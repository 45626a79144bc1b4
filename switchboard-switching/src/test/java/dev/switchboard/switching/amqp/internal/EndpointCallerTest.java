package dev.switchboard.switching.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.TestEndpoint;
import dev.switchboard.switching.amqp.internal.EndpointCaller.Allocations;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointCallerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final TestEndpoint endpoint = new TestEndpoint("s0", "n1");
    private final EndpointCaller caller = new EndpointCaller(endpoint, scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void anAllocateWhileAllocationsAreRefusedIsAnsweredUnavailableWithoutTheEndpoint() throws Exception {
        // When an allocate arrives on the node's queue while the node takes no sessions (draining, Kafka lost)
        SwitchResponse refused = call(TestEndpoint.allocateRequest(), Allocations.REFUSED);

        // Then it is UNAVAILABLE (the API node sends it to the shared queue), and the endpoint made no session
        assertThat(refused.isSetError()).as("answer: %s", refused).isTrue();
        assertThat(ErrorCode.fromThrift(refused.getError().getCode())).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(endpoint.allocations()).isZero();
        assertThat(caller.inflight()).isZero();
    }

    @Test
    void anAllocateWhileAllocationsAreTakenReachesTheEndpoint() throws Exception {
        SwitchResponse taken = call(TestEndpoint.allocateRequest(), Allocations.TAKEN);

        assertThat(taken.isSetAllocate()).as("answer: %s", taken).isTrue();
        assertThat(endpoint.allocations()).isEqualTo(1);
    }

    @Test
    void requestsOfSessionsAreServedWhetherOrNotAllocationsAre() throws Exception {
        // A draining node still serves its sessions
        SessionId session = SessionId.create("s0", "n1");
        SwitchResponse ack = call(TestEndpoint.ackRequest(session, 4), Allocations.REFUSED);

        assertThat(ack.isSetAck()).as("answer: %s", ack).isTrue();
        assertThat(ack.getAck().getSeq()).isEqualTo(4);
    }

    private SwitchResponse call(SwitchRequest request, Allocations allocations) throws Exception {
        return caller.call(ThriftCodec.encode(request), PATIENCE, OptionalLong.empty(), allocations)
                .get(5, TimeUnit.SECONDS);
    }
}
