package dev.switchboard.testkit;

import dev.switchboard.testkit.internal.BrokerProbe;
import dev.switchboard.testkit.internal.ExternalBroker;
import dev.switchboard.testkit.internal.RabbitMqCtl;
import dev.switchboard.testkit.internal.TestBroker;
import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real AMQP 0-9-1 broker for integration tests:
 * {@code @RegisterExtension static final AmqpExtension AMQP = new AmqpExtension();}
 *
 * <p>Which broker, decided once per JVM: {@code $SWITCHBOARD_TEST_AMQP_URI} (or the system property
 * {@code switchboard.test.amqp.uri}) when set, where the value {@value #EMBEDDED} forces the embedded broker;
 * else RabbitMQ at {@code amqp://guest:guest@127.0.0.1:5672} when it answers; else Apache Qpid Broker-J started
 * in this JVM ({@link EmbeddedAmqpBroker}), so tests pass on a machine without RabbitMQ.
 * {@link #embedded()} always uses the embedded broker.
 *
 * <p>Tests keep apart with {@link #newVirtualHost()}: a fresh, empty virtual host, deleted after the test class.
 * On RabbitMQ it is made with {@code rabbitmqctl} when the broker runs on this machine and the user may run it;
 * otherwise it is made on the embedded broker.
 */
public final class AmqpExtension implements BeforeAllCallback, AfterAllCallback {
    private static final Logger LOGGER = LoggerFactory.getLogger(AmqpExtension.class);
    public static final String URI_VARIABLE = "SWITCHBOARD_TEST_AMQP_URI";
    public static final String URI_PROPERTY = "switchboard.test.amqp.uri";
    public static final String EMBEDDED = "embedded";
    static final URI LOCAL_RABBITMQ = URI.create("amqp://guest:guest@127.0.0.1:5672");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static @Nullable TestBroker chosen;
    private static @Nullable TestBroker embedded;

    private final boolean forceEmbedded;
    private final List<String> virtualHosts = new CopyOnWriteArrayList<>();

    public AmqpExtension() {
        this(false);
    }

    private AmqpExtension(boolean forceEmbedded) {
        this.forceEmbedded = forceEmbedded;
    }

    /** An extension that always uses the embedded Qpid broker, whatever else runs on the machine. */
    public static AmqpExtension embedded() {
        return new AmqpExtension(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LOGGER.info("AMQP broker for {}: {}", context.getDisplayName(), broker().description());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        virtualHosts.forEach(name -> broker().deleteVirtualHost(name));
        virtualHosts.clear();
    }

    /** The URI of the broker's default virtual host (shared with every other test using it). */
    public URI uri() {
        return broker().uri();
    }

    /** A fresh, empty virtual host of its own; deleted after the test class. */
    public URI newVirtualHost() {
        String name = "switchboard-test-" + HexFormat.of().formatHex(randomBytes());
        URI uri = broker().createVirtualHost(name);
        virtualHosts.add(name);
        return uri;
    }

    /** Which broker this is, for test reports; never holds a password. */
    public String description() {
        return broker().description();
    }

    /** True when the broker is Qpid Broker-J running in this JVM. */
    public boolean isEmbedded() {
        return broker() == embeddedBroker();
    }

    private TestBroker broker() {
        return forceEmbedded ? embeddedBroker() : chosenBroker();
    }

    private static synchronized TestBroker chosenBroker() {
        TestBroker current = chosen;
        if (current == null) {
            current = choose();
            chosen = current;
        }
        return current;
    }

    private static TestBroker choose() {
        Optional<String> configured = Optional.ofNullable(System.getProperty(URI_PROPERTY))
                .or(() -> Optional.ofNullable(System.getenv(URI_VARIABLE)));
        return choose(configured, LOCAL_RABBITMQ);
    }

    /** The broker for a configured value (a URI or {@value #EMBEDDED}), else {@code local} if it answers. */
    static TestBroker choose(Optional<String> configured, URI local) {
        Optional<String> value = configured.filter(text -> !text.isBlank());
        if (value.isPresent()) {
            if (value.get().equals(EMBEDDED)) {
                return embeddedBroker();
            }
            URI uri = URI.create(value.get());
            String product = BrokerProbe.product(uri)
                    .orElseThrow(() -> new IllegalStateException(URI_VARIABLE + " (or " + URI_PROPERTY
                            + ") names an AMQP broker that does not answer or refuses the login"));
            return external(uri, product);
        }
        return BrokerProbe.product(local)
                .map(product -> external(local, product))
                .orElseGet(AmqpExtension::embeddedBroker);
    }

    private static TestBroker external(URI uri, String product) {
        Optional<RabbitMqCtl> ctl =
                ExternalBroker.isLocal(uri) && product.startsWith("RabbitMQ") ? RabbitMqCtl.find() : Optional.empty();
        return new ExternalBroker(uri, product, ctl, AmqpExtension::embeddedBroker);
    }

    static synchronized TestBroker embeddedBroker() {
        TestBroker current = embedded;
        if (current == null) {
            EmbeddedAmqpBroker broker = EmbeddedAmqpBroker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "test-amqp-shutdown"));
            current = new EmbeddedTestBroker(broker);
            embedded = current;
        }
        return current;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /** The embedded broker as a {@link TestBroker}. */
    private record EmbeddedTestBroker(EmbeddedAmqpBroker broker) implements TestBroker {
        @Override
        public URI uri() {
            return broker.uri();
        }

        @Override
        public URI createVirtualHost(String name) {
            return broker.createVirtualHost(name);
        }

        @Override
        public void deleteVirtualHost(String name) {
            broker.deleteVirtualHost(name);
        }

        @Override
        public String description() {
            return "embedded Qpid Broker-J at 127.0.0.1:" + broker.port();
        }
    }
}
