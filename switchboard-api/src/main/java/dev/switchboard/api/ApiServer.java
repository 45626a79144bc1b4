package dev.switchboard.api;

import dev.switchboard.api.internal.ApiMeters;
import dev.switchboard.api.internal.ApiRouter;
import dev.switchboard.api.internal.AuditedCalls;
import dev.switchboard.api.internal.AuthenticatingCalls;
import dev.switchboard.api.internal.BoundedBodies;
import dev.switchboard.api.internal.CallContext;
import dev.switchboard.api.internal.CallDeadlines;
import dev.switchboard.api.internal.ClusterHandler;
import dev.switchboard.api.internal.DashboardHandler;
import dev.switchboard.api.internal.HeaderTimeouts;
import dev.switchboard.api.internal.HealthHandler;
import dev.switchboard.api.internal.InFlightCalls;
import dev.switchboard.api.internal.JsonHttpHandler;
import dev.switchboard.api.internal.JwksHandler;
import dev.switchboard.api.internal.MeteredCalls;
import dev.switchboard.api.internal.MetricsHandler;
import dev.switchboard.api.internal.OpenApiHandler;
import dev.switchboard.api.internal.PrincipalBoundCalls;
import dev.switchboard.api.internal.PrincipalCalls;
import dev.switchboard.api.internal.QueueDelayShedding;
import dev.switchboard.api.internal.RequestMacs;
import dev.switchboard.api.internal.SwitchboardCalls;
import dev.switchboard.api.internal.TcpServer;
import dev.switchboard.api.internal.ThriftDispatcher;
import dev.switchboard.api.internal.ThriftHttpHandler;
import dev.switchboard.api.internal.TlsKeyStores;
import dev.switchboard.api.internal.TokenVerifier;
import dev.switchboard.api.internal.TracedCalls;
import dev.switchboard.core.mac.RequestMac;
import dev.switchboard.protocol.thrift.Switchboard;
import dev.switchboard.switching.Switch;
import io.opentelemetry.api.trace.Tracer;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.compression.gzip.GzipCompression;
import org.eclipse.jetty.compression.server.CompressionConfig;
import org.eclipse.jetty.compression.server.CompressionHandler;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One API node: a stateless HTTP server (Jetty 12 core handlers on virtual threads) that takes Thrift
 * compact-protocol calls at {@code POST /v1/thrift} and forwards each over the {@link Switch}; plus
 * {@code /health/live} and {@code /health/ready}.
 *
 * <p>Handler chain: graceful shutdown, then gzip (request inflation and response compression), then a router to
 * the Thrift endpoint and the health checks. {@link #close()} answers calls still waiting on a backend with
 * UNAVAILABLE (all calls are idempotent, so clients retry elsewhere), then stops within a few seconds.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ApiServer.class);

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(3);
    /** Idle connections may outlive the longest call by this much, so a long poll never loses its connection. */
    private static final Duration IDLE_SLACK = Duration.ofSeconds(30);
    /** On close, idle keep-alive connections are dropped after this long rather than Jetty's default second. */
    private static final Duration SHUTDOWN_IDLE_TIMEOUT = Duration.ofMillis(200);
    /** Responses smaller than this are sent as they are: gzip would save too little to pay for itself. */
    private static final int MIN_GZIP_BYTES = 1024;

    private static final String GZIP = "gzip";
    /** Jetty's default (200) would cap concurrent long polls; virtual threads make thousands cheap. */
    private static final int MAX_CONCURRENT_TASKS = 10_000;

    private final ApiConfig config;
    private final Server server;
    private final int port;
    private final InFlightCalls inFlight;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String scheme;
    private final ApiCounters counters;
    private final Optional<TcpServer> tcp;

    private ApiServer(
            ApiConfig config,
            Server server,
            ServerConnector connector,
            InFlightCalls inFlight,
            boolean https,
            ApiCounters counters,
            Optional<TcpServer> tcp) {
        this.counters = counters;
        this.tcp = tcp;
        this.config = config;
        this.scheme = https ? "https" : "http";
        this.server = server;
        this.port = connector.getLocalPort();
        this.inFlight = inFlight;
    }

    /** Starts a node and returns once it is listening. */
    public static ApiServer start(ApiConfig config, Switch sw) {
        return start(config, sw, () -> true);
    }

    /**
     * Starts a node and returns once it is listening; {@code /health/ready} also requires {@code extraReadiness}
     * (for example, a standalone node's backend having finished its start-up).
     */
    public static ApiServer start(ApiConfig config, Switch sw, BooleanSupplier extraReadiness) {
        return start(config, sw, extraReadiness, ApiSecurity.none());
    }

    /**
     * Starts a node with authentication: bearer tokens on allocate, request MACs on every later call (see
     * {@link ApiSecurity}); with a fixed JWK set, also serves its public keys at
     * {@code GET /.well-known/jwks.json}.
     */
    public static ApiServer start(ApiConfig config, Switch sw, BooleanSupplier extraReadiness, ApiSecurity security) {
        return start(config, sw, extraReadiness, security, ApiOperations.none());
    }

    /**
     * As {@link #start(ApiConfig, Switch, BooleanSupplier, ApiSecurity)}, with meters ({@code GET /metrics} when
     * they are a Prometheus registry) and the cluster view of {@code operations}.
     */
    public static ApiServer start(
            ApiConfig config,
            Switch sw,
            BooleanSupplier extraReadiness,
            ApiSecurity security,
            ApiOperations operations) {
        Objects.requireNonNull(operations, "operations");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(sw, "sw");
        Objects.requireNonNull(extraReadiness, "extraReadiness");
        requirePrivateOrEncrypted(config.host(), security);
        CallDeadlines deadlines = new CallDeadlines(config.requestTimeout(), config.readWaitMargin());
        InFlightCalls inFlight = new InFlightCalls();
        ApiLimits limits = config.limits();
        ApiCounters counters = new ApiCounters();

        VirtualThreadPool threads = new VirtualThreadPool(MAX_CONCURRENT_TASKS);
        threads.setName("switchboard-api");
        Server server = new Server(threads);
        server.setStopTimeout(STOP_TIMEOUT.toMillis());
        server.setErrorHandler(quietErrors());

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // While a call is handled the connection may be silent for as long as the longest call waits on a backend
        // (long polls); between requests and while a client sends headers or a body, only idle-timeout.
        http.setIdleTimeout(deadlines.longest().plus(IDLE_SLACK).toMillis());
        ServerConnector connector = security.tls()
                .map(tls -> httpsConnector(server, http, tls))
                .orElseGet(() -> new ServerConnector(server, new HttpConnectionFactory(http)));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setShutdownIdleTimeout(SHUTDOWN_IDLE_TIMEOUT.toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        // idle-timeout bounds the silence between two bytes; header-timeout bounds a whole request head
        HeaderTimeouts heads = new HeaderTimeouts(limits.headerTimeout(), counters);
        connector.addEventListener(heads);
        server.addBean(heads);

        Clock clock = Clock.systemUTC(); // the API node's one clock: tokens, request MACs, audit, the TCP port
        Optional<TokenVerifier> tokens = security.oauth().map(oauth -> new TokenVerifier(oauth, clock));
        Optional<RequestMacs> macs =
                security.clusterSecret().map(secret -> new RequestMacs(secret, RequestMacs.DEFAULT_WINDOW, clock));
        ApiMeters meters = new ApiMeters(operations.meters());
        meters.bindPresence(operations.shards());
        meters.bindRefusals(counters);
        Tracer tracer = operations.tracer();
        PrincipalCalls principals = new PrincipalCalls(limits.maxCallsPerPrincipal(), counters);
        // one gate per node, for every transport: the node is behind or it is not
        QueueDelayShedding shedding = new QueueDelayShedding(limits.maxQueueDelay(), clock, counters);
        BiFunction<CallContext, InFlightCalls, Switchboard.Iface> chain = (context, waits) -> new TracedCalls(
                new MeteredCalls(
                        new AuditedCalls(
                                new AuthenticatingCalls(
                                        new PrincipalBoundCalls(
                                                new SwitchboardCalls(sw, deadlines, waits, context, shedding),
                                                principals),
                                        tokens,
                                        macs,
                                        context),
                                operations.audit(),
                                operations.nodeId(),
                                context,
                                clock),
                        meters),
                tracer,
                context);
        Function<CallContext, Switchboard.Iface> calls = context -> chain.apply(context, inFlight);
        ThriftDispatcher dispatcher = new ThriftDispatcher(config.maxRequestBytes(), calls);
        // One body budget for the node, shared by every endpoint; signed calls may send up to max-request-bytes.
        BoundedBodies bodies = new BoundedBodies(limits.maxBodyBytesInFlight(), limits.minRequestDataRate(), counters);
        Predicate<HttpFields> signed = headers -> macs.isEmpty()
                || macs.get()
                        .looksSigned(
                                headers.get(RequestMac.MAC_HEADER),
                                headers.get(RequestMac.TIMESTAMP_HEADER),
                                headers.get(RequestMac.NONCE_HEADER));
        HealthHandler health = new HealthHandler(() -> sw.ready() && extraReadiness.getAsBoolean());
        Map<String, Handler> routes = new HashMap<>(Map.of(
                ThriftHttpHandler.PATH,
                new ThriftHttpHandler(
                        dispatcher, bodies, config.maxRequestBytes(), limits.maxUnauthenticatedRequestBytes(), signed),
                HealthHandler.LIVE_PATH,
                health,
                HealthHandler.READY_PATH,
                health));
        routes.put(OpenApiHandler.PATH, new OpenApiHandler());
        for (String call : JsonHttpHandler.callNames()) {
            routes.put(
                    JsonHttpHandler.PATH_PREFIX + call,
                    new JsonHttpHandler(
                            call,
                            calls,
                            bodies,
                            config.maxRequestBytes(),
                            limits.maxUnauthenticatedRequestBytes(),
                            signed));
        }
        security.oauth()
                .flatMap(OAuthConfig::jwks)
                .ifPresent(jwks -> routes.put(JwksHandler.PATH, new JwksHandler(jwks)));
        operations
                .prometheus()
                .ifPresent(prometheus -> routes.put(MetricsHandler.PATH, new MetricsHandler(prometheus)));
        // known once the TCP port listens (after the HTTP server started)
        AtomicReference<@Nullable String> tcpUrl = new AtomicReference<>();
        DashboardHandler dashboard = new DashboardHandler();
        routes.put(DashboardHandler.PAGE_PATH, dashboard);
        routes.put(DashboardHandler.SCRIPT_PATH, dashboard);
        routes.put(
                ClusterHandler.PATH,
                new ClusterHandler(
                        tokens,
                        operations.shards(),
                        meters,
                        operations.nodeId(),
                        version(),
                        operations.audit(),
                        () -> Optional.ofNullable(tcpUrl.get())));
        ApiRouter router = new ApiRouter(routes);
        server.setHandler(new GracefulHandler(gzip(router)));

        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            throw new IllegalStateException(
                    "the API server could not listen on " + config.host() + ":" + config.port(), e);
        }
        Optional<TcpServer> tcp = Optional.empty();
        if (config.tcpPort().isPresent()) {
            try {
                tcp = Optional.of(TcpServer.start(
                        config.host(),
                        config.tcpPort().getAsInt(),
                        security.tls().map(ApiServer::sslContext),
                        dispatcher,
                        bodies,
                        macs,
                        config.maxRequestBytes(),
                        limits,
                        counters,
                        clock,
                        TcpServer.streamCalls(
                                chain,
                                (context, waits) -> new MeteredCalls(
                                        new PrincipalBoundCalls(
                                                new SwitchboardCalls(sw, deadlines, waits, context, shedding),
                                                principals),
                                        meters),
                                inFlight,
                                config.maxStreamWindow(),
                                config.maxRequestBytes())));
            } catch (RuntimeException e) {
                stopQuietly(server);
                throw e;
            }
        }
        ApiServer api = new ApiServer(
                config, server, connector, inFlight, security.tls().isPresent(), counters, tcp);
        api.tcpUri().ifPresent(url -> tcpUrl.set(url.toString()));
        LOGGER.info("api listening host={} port={} scheme={}", config.host(), api.port, api.scheme);
        tcp.ifPresent(
                t -> LOGGER.info("api listening host={} port={} scheme={}", config.host(), t.port(), api.tcpScheme()));
        return api;
    }

    /** What this node refused to protect itself (for metrics). */
    public ApiCounters counters() {
        return counters;
    }

    private static String version() {
        String version = ApiServer.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /** The port actually listened on (the chosen one when the config said 0). */
    public int port() {
        return port;
    }

    /** The base URI of this node, e.g. {@code http://127.0.0.1:8080/} ({@code https} with TLS). */
    public URI uri() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return URI.create(scheme + "://" + host + ":" + port() + "/");
    }

    /** The binary TCP port actually listened on, when {@code tcp-port} is set. */
    public OptionalInt tcpPort() {
        return tcp.map(t -> OptionalInt.of(t.port())).orElse(OptionalInt.empty());
    }

    /** The TCP transport's URI of this node, e.g. {@code sb://127.0.0.1:8081} ({@code sbs} with TLS). */
    public Optional<URI> tcpUri() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return tcp.map(t -> URI.create(tcpScheme() + "://" + host + ":" + t.port()));
    }

    private String tcpScheme() {
        return scheme.equals("https") ? "sbs" : "sb";
    }

    /** Answers waiting calls with UNAVAILABLE, finishes in-flight responses, and stops; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long startNanos = System.nanoTime();
        inFlight.close();
        tcp.ifPresent(TcpServer::close);
        stopQuietly(server);
        LOGGER.info(
                "api stopped host={} port={} durationMs={}",
                config.host(),
                port,
                (System.nanoTime() - startNanos) / 1_000_000);
    }

    /**
     * Plain HTTP only on loopback, unless explicitly allowed: bearer tokens and session MAC keys travel in these
     * requests and answers.
     */
    private static void requirePrivateOrEncrypted(String host, ApiSecurity security) {
        if (security.tls().isPresent() || isLoopback(host)) {
            return;
        }
        if (!security.allowPlainHttp()) {
            throw new IllegalArgumentException("host: " + host + " is not a loopback address and tls is not"
                    + " configured; bearer tokens and MAC keys would cross the network in clear. Configure tls, or"
                    + " set allow-plain-http: true (e.g. behind a TLS-terminating proxy)");
        }
        LOGGER.warn(
                "api serves plain HTTP on a non-loopback address host={}: bearer tokens and session MAC keys cross"
                        + " the network in clear (allow-plain-http is set)",
                host);
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** TLS 1.2+ with the JDK's defaults; SNI is not required, so clients may connect by IP address. */
    private static ServerConnector httpsConnector(Server server, HttpConfiguration http, TlsConfig tls) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(TlsKeyStores.load(tls));
        ssl.setKeyStorePassword(tls.keystore().isPresent() ? tls.keystorePassword() : TlsKeyStores.PEM_STORE_PASSWORD);
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        return new ServerConnector(
                server,
                new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                new HttpConnectionFactory(http));
    }

    /** The TCP port's TLS: the same key and certificate as HTTPS. */
    private static SSLContext sslContext(TlsConfig tls) {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(
                    TlsKeyStores.load(tls),
                    (tls.keystore().isPresent() ? tls.keystorePassword() : TlsKeyStores.PEM_STORE_PASSWORD)
                            .toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the TLS key for the TCP port could not be loaded: " + e.getMessage(), e);
        }
    }

    /**
     * Gzip both ways: inflates {@code Content-Encoding: gzip} bodies, compresses big answers when accepted. Jetty's
     * compression layer hides a request's {@code Accept-Encoding} from the handlers behind it, so whether the
     * client accepts LZ4 (which {@link ThriftHttpHandler} does itself) is noted on the request first.
     */
    private static Handler gzip(Handler next) {
        GzipCompression gzip = new GzipCompression();
        gzip.setMinCompressSize(MIN_GZIP_BYTES);
        CompressionHandler compression = new CompressionHandler(next);
        compression.putCompression(gzip);
        compression.putConfiguration(
                "/*",
                CompressionConfig.builder()
                        .defaults()
                        .compressIncludeEncoding(GZIP)
                        .decompressIncludeEncoding(GZIP)
                        .compressIncludeMethod("GET")
                        .compressIncludeMethod("POST")
                        .decompressIncludeMethod("POST")
                        .build());
        return new Handler.Wrapper(compression) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                ThriftHttpHandler.noteAcceptedCodings(request);
                return super.handle(request, response, callback);
            }
        };
    }

    /** For the errors Jetty answers itself (malformed HTTP, shutdown): no stack traces, no exception messages. */
    private static ErrorHandler quietErrors() {
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowCauses(false);
        errors.setShowMessageInTitle(false);
        return errors;
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOGGER.warn("api stop did not complete cleanly", e);
        }
    }
}
