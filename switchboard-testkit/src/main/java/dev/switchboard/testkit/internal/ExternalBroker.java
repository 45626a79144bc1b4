package dev.switchboard.testkit.internal;

import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker running outside the test JVM (the machine's RabbitMQ, or {@code $SWITCHBOARD_TEST_AMQP_URI}). Its
 * virtual hosts come from {@code rabbitmqctl} where that works; otherwise from the embedded broker, since
 * the design allows no other way (such as name prefixes) to keep shards or concurrent test runs apart.
 */
public final class ExternalBroker implements TestBroker {
    private static final Logger LOGGER = LoggerFactory.getLogger(ExternalBroker.class);

    private final URI uri;
    private final String product;
    private final Optional<RabbitMqCtl> ctl;
    private final Supplier<TestBroker> fallback;

    public ExternalBroker(URI uri, String product, Optional<RabbitMqCtl> ctl, Supplier<TestBroker> fallback) {
        this.uri = uri;
        this.product = product;
        this.ctl = ctl;
        this.fallback = fallback;
        if (ctl.isEmpty()) {
            LOGGER.info(
                    "cannot create virtual hosts on {}: rabbitmqctl is not usable here; extra virtual hosts come from"
                            + " an embedded broker",
                    description());
        }
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public URI createVirtualHost(String name) {
        if (ctl.isPresent() && ctl.get().addVirtualHost(name, user())) {
            return TestBroker.withVirtualHost(uri, name);
        }
        return fallback.get().createVirtualHost(name);
    }

    @Override
    public void deleteVirtualHost(String name) {
        if (ctl.isEmpty() || !ctl.get().deleteVirtualHost(name)) {
            fallback.get().deleteVirtualHost(name);
        }
    }

    @Override
    public String description() {
        return product + " at " + uri.getHost() + ":" + (uri.getPort() < 0 ? 5672 : uri.getPort());
    }

    private String user() {
        String userInfo = uri.getUserInfo();
        if (userInfo == null) {
            return "guest";
        }
        int colon = userInfo.indexOf(':');
        return colon < 0 ? userInfo : userInfo.substring(0, colon);
    }

    /** True when the broker runs on this machine, so that a local rabbitmqctl manages it. */
    public static boolean isLocal(URI uri) {
        String host = uri.getHost();
        return "127.0.0.1".equals(host) || "localhost".equals(host) || "::1".equals(host);
    }
}
