package dev.switchboard.server.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend node's small HTTP port (the backend has no HTTP of its own): {@code GET /metrics} in the Prometheus
 * text format, {@code /health/live} and {@code /health/ready} (200 or 503) for an orchestrator's probes. The JDK's
 * built-in server on one thread: a scrape every few seconds needs no more.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(MetricsServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Listens on {@code host:port} (0: a free port). */
    public static MetricsServer start(String host, int port, PrometheusMeterRegistry registry, BooleanSupplier ready) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("the metrics port could not listen on " + host + ":" + port, e);
        }
        server.createContext("/metrics", exchange -> answer(exchange, 200, registry.scrape(), true));
        server.createContext("/health/live", exchange -> answer(exchange, 200, "live", false));
        server.createContext(
                "/health/ready",
                exchange -> answer(
                        exchange,
                        ready.getAsBoolean() ? 200 : 503,
                        ready.getAsBoolean() ? "ready" : "not ready",
                        false));
        ExecutorService executor = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("sb-metrics-http").factory());
        server.setExecutor(executor);
        server.start();
        return new MetricsServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public URI uri() {
        String host = server.getAddress().getHostString();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    private static void answer(HttpExchange exchange, int status, String text, boolean metrics) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "method not allowed", false);
            } else if (!path.equals(exchange.getHttpContext().getPath())) {
                send(exchange, 404, "not found", false); // contexts match by prefix; only exact paths are served
            } else {
                send(exchange, status, text, metrics);
            }
        } catch (IOException | RuntimeException e) {
            LOGGER.debug("metrics request failed cause={}", e.toString());
        }
    }

    private static void send(HttpExchange exchange, int status, String text, boolean metrics) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders()
                .set(
                        "Content-Type",
                        metrics ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
