package dev.switchboard.testkit.internal;

/** The initial configuration of {@code EmbeddedAmqpBroker}: one AMQP port, PLAIN guest/guest, memory vhosts. */
public final class QpidInitialConfig {
    public static final String AMQP_PORT_NAME = "AMQP";

    private QpidInitialConfig() {}

    /**
     * PLAIN is allowed without TLS (Qpid forbids it by default) because the RabbitMQ client logs in with PLAIN
     * and the port only listens on loopback.
     */
    public static String json(int port) {
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
                  "ports": [ {
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
                """.formatted(AMQP_PORT_NAME, port);
    }
}
