package dev.switchboard.server.localcluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.core.secret.OwnerOnlyFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local cluster's control endpoint, on loopback only: {@code POST /restart?role=backend|api|all} runs a
 * rolling restart (the cluster's {@link Restarter}) and streams its progress as text lines, the last one {@code
 * done} or {@code failed: <why>}. A request needs {@code Authorization: Bearer <token>}, the random token in
 * {@code <data-dir>/control-token} (owner-readable only), so that only someone who can read the data dir controls
 * the cluster. One request at a time.
 */
final class ControlServer implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ControlServer.class);
    static final String TOKEN_FILE = "control-token";

    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] token;

    private ControlServer(HttpServer server, ExecutorService executor, byte[] token) {
        this.server = server;
        this.executor = executor;
        this.token = token;
    }

    /** What a restart request runs: the cluster's rolling restart, reporting one line per step. */
    @FunctionalInterface
    interface Restarter {
        void restart(RestartRole role, Consumer<String> progress) throws IOException, InterruptedException;
    }

    static ControlServer start(Path dataDir, Restarter cluster) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        OwnerOnlyFiles.write(dataDir.resolve(TOKEN_FILE), token.getBytes(StandardCharsets.US_ASCII));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        ExecutorService executor = Executors.newSingleThreadExecutor(); // one request at a time
        ControlServer control = new ControlServer(server, executor, token.getBytes(StandardCharsets.US_ASCII));
        server.createContext("/restart", exchange -> control.restart(exchange, cluster));
        server.setExecutor(executor);
        server.start();
        return control;
    }

    URI url() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort());
    }

    private void restart(HttpExchange exchange, Restarter cluster) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, "POST only\n");
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] given = authorization == null || !authorization.startsWith("Bearer ")
                    ? new byte[0]
                    : authorization.substring(7).strip().getBytes(StandardCharsets.US_ASCII);
            if (!MessageDigest.isEqual(given, token)) {
                answer(exchange, 401, "needs Authorization: Bearer <the data dir's control-token>\n");
                return;
            }
            RestartRole role;
            try {
                role = RestartRole.valueOf(roleParameter(exchange.getRequestURI()));
            } catch (IllegalArgumentException e) {
                answer(exchange, 400, "role must be backend, api or all\n");
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, 0); // chunked: progress lines as they happen
            OutputStream body = exchange.getResponseBody();
            try {
                cluster.restart(role, line -> {
                    LOGGER.info("rolling restart: {}", line);
                    write(body, line);
                });
                write(body, "done");
            } catch (IOException | RuntimeException e) {
                LOGGER.warn("rolling restart failed", e);
                write(body, "failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                write(body, "failed: interrupted");
            }
        } catch (UncheckedIOException e) {
            LOGGER.warn("the restart client went away; the restart went on", e);
        }
    }

    private static String roleParameter(URI uri) {
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        for (String pair : query.split("&")) {
            if (pair.startsWith("role=")) {
                return pair.substring(5).toUpperCase(Locale.ROOT);
            }
        }
        return "";
    }

    private static void write(OutputStream body, String line) {
        try {
            body.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            body.flush();
        } catch (IOException e) {
            // the client went away: the restart goes on, its progress is in the cluster's log
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
