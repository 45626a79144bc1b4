package dev.switchboard.testkit.internal;

import java.net.URI;

/** An AMQP 0-9-1 broker that tests may use, and how to get isolated virtual hosts on it. */
public interface TestBroker {
    /** The URI of the broker's default virtual host. */
    URI uri();

    /** Creates an empty virtual host and returns its URI (which may point at another broker, see the impls). */
    URI createVirtualHost(String name);

    /** Deletes a virtual host made by {@link #createVirtualHost}; best effort. */
    void deleteVirtualHost(String name);

    /** For logs and test reports, e.g. {@code RabbitMQ 3.10.8 at 127.0.0.1:5672}; never holds a password. */
    String description();

    /** The URI of virtual host {@code name} on the broker at {@code base}. */
    static URI withVirtualHost(URI base, String name) {
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + "/" + name);
    }
}
