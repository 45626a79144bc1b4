package dev.switchboard.testkit.internal;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The initial configuration of {@code EmbeddedAmqpBroker}: one AMQP port, optionally an AMQPS port (TLS with a
 * PKCS12 key store), PLAIN guest/guest, memory vhosts.
 */
public final class QpidInitialConfig {
    public static final String AMQP_PORT_NAME = "AMQP";
    public static final String AMQPS_PORT_NAME = "AMQPS";

    /** The AMQPS port: its number (0 for a free one) and the PKCS12 key store holding its key and certificate. */
    public record Tls(int port, Path keyStore, String password) {}

    private QpidInitialConfig() {}

    /**
     * PLAIN is allowed without TLS (Qpid forbids it by default) because the RabbitMQ client logs in with PLAIN
     * and the port only listens on loopback.
     */
    public static String json(int port) {
        return json(port, Optional.empty());
    }

    /** As {@link #json(int)}, with an AMQPS port (same users and virtual hosts) when {@code tls} is present. */
    public static String json(int port, Optional<Tls> tls) {
        String keyStores = tls.map(QpidInitialConfig::keyStore).orElse("");
        String tlsPort = tls.map(QpidInitialConfig::tlsPort).orElse("");
        return """
                {
                  "name": "switchboard-test-broker",
                  "modelVersion": "8.0",
                  "authenticationproviders": [ {
                    "name": "plain",
                    "type": "Plain",
                    "secureOnlyMechanisms": [],
                    "users": [ { "name": "guest", "type": "managed", "password": "guest" } ]
                  } ],
                  %s
                  "ports": [ %s {
                    "name": "%s",
                    "port": %d,
                    "bindingAddress": "127.0.0.1",
                    "authenticationProvider": "plain",
                    "virtualhostaliases": [
                      { "name": "nameAlias", "type": "nameAlias" },
                      { "name": "defaultAlias", "type": "defaultAlias" }
                    ]
                  } ],
                  "virtualhostnodes": [ {
                    "name": "default",
                    "type": "Memory",
                    "defaultVirtualHostNode": "true",
                    "virtualHostInitialConfiguration": "{ \\"type\\": \\"Memory\\" }"
                  } ]
                }
                """.formatted(keyStores, tlsPort, AMQP_PORT_NAME, port);
    }

    private static String keyStore(Tls tls) {
        return """
                "keystores": [ {
                    "name": "switchboard-test-tls",
                    "type": "FileKeyStore",
                    "storeUrl": %s,
                    "password": %s,
                    "keyStoreType": "PKCS12"
                  } ],""".formatted(quoted(tls.keyStore().toAbsolutePath().toString()), quoted(tls.password()));
    }

    private static String tlsPort(Tls tls) {
        return """
                {
                    "name": "%s",
                    "type": "AMQP",
                    "port": %d,
                    "bindingAddress": "127.0.0.1",
                    "transports": [ "SSL" ],
                    "keyStore": "switchboard-test-tls",
                    "authenticationProvider": "plain",
                    "virtualhostaliases": [
                      { "name": "nameAlias", "type": "nameAlias" },
                      { "name": "defaultAlias", "type": "defaultAlias" }
                    ]
                  },""".formatted(AMQPS_PORT_NAME, tls.port());
    }

    /** A JSON string literal; test paths and passwords have no control characters. */
    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
