package dev.switchboard.server.localcluster;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and deletes virtual hosts on a RabbitMQ broker, one per shard of a local cluster: through the
 * management HTTP API (port 15672) when it answers, else with {@code rabbitmqctl} when the broker runs on this
 * machine and the tool may be run here. AMQP 0-9-1 itself has no way to create a virtual host.
 */
final class VirtualHosts {
    private static final Logger LOGGER = LoggerFactory.getLogger(VirtualHosts.class);
    private static final int MANAGEMENT_PORT = 15672;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final List<Path> RABBITMQCTL = List.of(
            Path.of("/usr/sbin/rabbitmqctl"), Path.of("/usr/local/sbin/rabbitmqctl"), Path.of("/usr/bin/rabbitmqctl"));

    private final URI broker;
    private final String user;
    private final String password;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    VirtualHosts(URI broker) {
        this.broker = broker;
        String userInfo = Optional.ofNullable(broker.getUserInfo()).orElse("guest:guest");
        int colon = userInfo.indexOf(':');
        this.user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
        this.password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
    }

    /**
     * Checks that a RabbitMQ broker answers at the URI and accepts its login: only RabbitMQ's own tools can
     * create virtual hosts, and rabbitmqctl must not add them to a different broker than the one named.
     */
    void requireRabbitMq() throws IOException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setConnectionTimeout((int) TIMEOUT.toMillis());
        factory.setAutomaticRecoveryEnabled(false);
        String product;
        try {
            factory.setUri(broker);
            try (Connection connection = factory.newConnection("switchboard-local-cluster-probe")) {
                product = String.valueOf(connection.getServerProperties().get("product"));
            }
        } catch (Exception e) {
            throw new IOException("no AMQP broker answers at " + broker.getHost() + ":" + port()
                    + " or it refuses the login (" + e.getClass().getSimpleName() + "). Start RabbitMQ there, or"
                    + " give --amqp the broker's URI (once: shards become its virtual hosts; or once per shard)");
        }
        if (!product.startsWith("RabbitMQ")) {
            throw new IOException("the broker at " + broker.getHost() + ":" + port() + " is " + product
                    + ", not RabbitMQ, so local-cluster cannot create a virtual host per shard there; give one"
                    + " --amqp URI per shard (virtual hosts or brokers you made)");
        }
    }

    /** Creates virtual host {@code name}, gives the URI's user every permission on it, and returns its URI. */
    URI create(String name) throws IOException {
        if (!viaManagementApi(name) && !viaRabbitmqctl(name)) {
            throw new IOException("cannot create a virtual host for each shard on " + broker.getHost() + ":"
                    + port() + ": the RabbitMQ management API (http://" + broker.getHost() + ":" + MANAGEMENT_PORT
                    + ") does not answer and rabbitmqctl is not usable here. Enable the management plugin"
                    + " (rabbitmq-plugins enable rabbitmq_management), or give one --amqp URI per shard"
                    + " (separate brokers or virtual hosts you made), e.g. --amqp amqp://guest:guest@127.0.0.1:5672/sb-s0"
                    + " --amqp amqp://guest:guest@127.0.0.1:5672/sb-s1");
        }
        LOGGER.info("virtual host created name={} broker={}:{}", name, broker.getHost(), port());
        return URI.create(broker.getScheme() + "://"
                + Optional.ofNullable(broker.getRawUserInfo())
                        .map(info -> info + "@")
                        .orElse("") + broker.getHost() + ":" + port() + "/" + name);
    }

    /** Deletes virtual host {@code name}, best effort. */
    void delete(String name) {
        if (!deleteViaManagementApi(name) && !run("delete_vhost", name)) {
            LOGGER.warn("could not delete virtual host name={}", name);
        }
    }

    private boolean viaManagementApi(String name) {
        String encodedUser = URLEncoder.encode(user, StandardCharsets.UTF_8);
        return send("PUT", "/api/vhosts/" + name, HttpRequest.BodyPublishers.ofString("{}"))
                && send(
                        "PUT",
                        "/api/permissions/" + name + "/" + encodedUser,
                        HttpRequest.BodyPublishers.ofString("{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}"));
    }

    private boolean deleteViaManagementApi(String name) {
        return send("DELETE", "/api/vhosts/" + name, HttpRequest.BodyPublishers.noBody());
    }

    private boolean send(String method, String path, HttpRequest.BodyPublisher body) {
        String scheme = "amqps".equalsIgnoreCase(broker.getScheme()) ? "https" : "http";
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(scheme + "://" + broker.getHost() + ":" + MANAGEMENT_PORT + path))
                .timeout(TIMEOUT)
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body)
                .build();
        try {
            int status =
                    http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 300;
        } catch (IOException e) {
            LOGGER.debug("management API did not answer cause={}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean viaRabbitmqctl(String name) {
        // rabbitmqctl manages the local node, which listens on the default port
        return isLocal()
                && port() == 5672
                && run("add_vhost", name)
                && run("set_permissions", "-p", name, user, ".*", ".*", ".*");
    }

    private boolean isLocal() {
        String host = broker.getHost();
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
    }

    private boolean run(String... arguments) {
        Optional<Path> tool = RABBITMQCTL.stream().filter(Files::isExecutable).findFirst();
        if (tool.isEmpty() || !isLocal()) {
            return false;
        }
        List<String> command = new ArrayList<>();
        command.add(tool.get().toString());
        command.add("-q");
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private int port() {
        return broker.getPort() > 0 ? broker.getPort() : "amqps".equalsIgnoreCase(broker.getScheme()) ? 5671 : 5672;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
