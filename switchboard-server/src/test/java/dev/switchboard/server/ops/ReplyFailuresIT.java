package dev.switchboard.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.core.session.SessionId;
import dev.switchboard.protocol.thrift.AckRequest;
import dev.switchboard.protocol.thrift.AckResponse;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.amqp.AmqpSwitch;
import dev.switchboard.switching.amqp.AmqpSwitchConfig;
import dev.switchboard.testkit.AmqpExtension;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A backend whose answer cannot reach the API node that asked (that node left before the answer, taking its
 * exclusive reply queue with it) counts the reply as failed and says so at WARN, instead of the broker dropping it
 * unseen. The real RabbitMQ, a real API side and backend side of the AMQP switch; logs through Logback, the
 * executable's backend.
 */
class ReplyFailuresIT {
    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String NODE_ATTACHMENT = "dev.switchboard.switching.amqp.internal.NodeAttachment";

    @Test
    void aReplyToAnApiNodeThatLeftIsCountedAndLogged() throws Exception {
        URI vhost = AMQP.newVirtualHost();
        HeldAcks endpoint = new HeldAcks();
        ListAppender<ILoggingEvent> logs = capture(NODE_ATTACHMENT);
        AmqpSwitch backend = AmqpSwitch.create(
                AmqpSwitchConfig.of(Map.of("s0", vhost), "backend").backendOnly());
        try {
            backend.attach(endpoint);
            AmqpSwitch api = AmqpSwitch.create(AmqpSwitchConfig.of(Map.of("s0", vhost), "api"));
            await().atMost(TIMEOUT).until(api::ready);

            // Given a request the backend is working on
            SessionId session = SessionId.create("s0", "n1");
            CompletableFuture<SwitchResponse> answer =
                    api.forward(session, SwitchRequest.ack(new AckRequest(session.toString(), 1)), TIMEOUT);
            await().atMost(TIMEOUT).until(() -> endpoint.arrived.getCount() == 0);

            // When the API node that sent it goes away before the answer (its reply queue goes with it)
            api.close();
            assertThat(answer).isNotNull();
            assertThat(backend.counters().repliesFailed()).isZero();
            endpoint.release.countDown();

            // Then the backend's reply comes back from the broker: counted and logged at WARN
            await().atMost(TIMEOUT).until(() -> backend.counters().repliesFailed() == 1);
            assertThat(logs.list).anySatisfy(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage())
                        .contains("reply returned by the broker, its reply queue is gone")
                        .contains("node=n1");
            });
        } finally {
            backend.close();
            ((Logger) LoggerFactory.getLogger(NODE_ATTACHMENT)).detachAppender(logs);
        }
    }

    /** A backend node whose first ack waits until the test releases it. */
    private static final class HeldAcks implements BackendEndpoint {
        final CountDownLatch arrived = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String shard() {
            return "s0";
        }

        @Override
        public String nodeId() {
            return "n1";
        }

        @Override
        public CompletableFuture<SwitchResponse> handle(SwitchRequest request) {
            arrived.countDown();
            return CompletableFuture.supplyAsync(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return SwitchResponse.ack(new AckResponse(request.getAck().getSeq(), "cursor"));
            });
        }
    }

    private static ListAppender<ILoggingEvent> capture(String name) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.setContext(context);
        appender.start();
        context.getLogger(name).addAppender(appender);
        return appender;
    }
}
