package dev.switchboard.switching.amqp;

import dev.switchboard.core.session.SessionId;
import dev.switchboard.core.tls.TrustedCertificates;
import dev.switchboard.protocol.thrift.SwitchRequest;
import dev.switchboard.protocol.thrift.SwitchResponse;
import dev.switchboard.switching.BackendEndpoint;
import dev.switchboard.switching.Switch;
import dev.switchboard.switching.amqp.internal.ApiSide;
import dev.switchboard.switching.amqp.internal.NodeAttachment;
import dev.switchboard.switching.amqp.internal.SwitchRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switch over AMQP 0-9-1 (RabbitMQ or any 0-9-1 broker), sharded over independent brokers: an API node
 * connects to every shard's broker, a backend node only to its own shard's. See the module README for the AMQP
 * objects each shard broker carries and how requests flow.
 *
 * <p>One instance serves one process: the API side (when {@link AmqpSwitchConfig#apiSide()}) and any number of
 * attached backend nodes. Connections that drop are reopened with back-off; requests caught by a dropped
 * connection answer UNAVAILABLE at once.
 */
public final class AmqpSwitch implements Switch {
    private static final Logger LOGGER = LoggerFactory.getLogger(AmqpSwitch.class);

    private final AmqpSwitchConfig config;
    private final SwitchRuntime runtime;
    private final Optional<ApiSide> api;
    private final Map<String, NodeAttachment> nodes = new ConcurrentHashMap<>();

    private AmqpSwitch(AmqpSwitchConfig config, SwitchRuntime runtime, Optional<ApiSide> api) {
        this.config = config;
        this.runtime = runtime;
        this.api = api;
    }

    /** Starts a switch; an API node connects to every shard now (a shard that is down is retried in the background). */
    public static AmqpSwitch create(AmqpSwitchConfig config) {
        return create(config, Clock.systemUTC());
    }

    /** As {@link #create(AmqpSwitchConfig)}, with the clock that ages presence beats. */
    public static AmqpSwitch create(AmqpSwitchConfig config, Clock clock) {
        return create(config, clock, new CompositeMeterRegistry());
    }

    /**
     * As {@link #create(AmqpSwitchConfig, Clock)}; the API side counts its requests' outcomes in {@code meters}
     * ({@code switchboard_switch_requests_total}).
     */
    public static AmqpSwitch create(AmqpSwitchConfig config, Clock clock, MeterRegistry meters) {
        SwitchRuntime runtime =
                SwitchRuntime.create(clock, config.trustedCertificates().map(TrustedCertificates::sslContext));
        Optional<ApiSide> api = config.apiSide()
                ? Optional.of(
                        ApiSide.connect(config.shards(), config.nodeId(), config.presenceTimeout(), runtime, meters))
                : Optional.empty();
        return new AmqpSwitch(config, runtime, api);
    }

    /** What this switch refused, dropped or repaired (for metrics). */
    public SwitchCounters counters() {
        return runtime.counters();
    }

    @Override
    public CompletableFuture<SwitchResponse> allocate(String affinity, SwitchRequest request, Duration timeout) {
        return api().allocate(affinity, request, timeout);
    }

    @Override
    public CompletableFuture<SwitchResponse> forward(SessionId session, SwitchRequest request, Duration timeout) {
        return api().forward(session, request, timeout);
    }

    /**
     * Connects a backend node to its shard's broker. The first connection attempt is made now; when the broker
     * is down the node keeps trying in the background and takes requests once connected.
     */
    @Override
    public Attachment attach(BackendEndpoint endpoint) {
        URI uri = config.shards().get(endpoint.shard());
        if (uri == null) {
            throw new IllegalArgumentException(
                    "node " + endpoint.nodeId() + " names an unknown shard: " + endpoint.shard());
        }
        String key = endpoint.shard() + "." + endpoint.nodeId();
        NodeAttachment node = new NodeAttachment(
                endpoint, uri, config.prefetch(), config.heartbeat(), version(), runtime, () -> nodes.remove(key));
        if (nodes.putIfAbsent(key, node) != null) {
            throw new IllegalStateException("node " + key + " is already attached");
        }
        node.start();
        return node;
    }

    /**
     * An API node is ready when some shard takes new sessions (its broker is reachable and a serving node has
     * been heard from); a backend-only process when one of its nodes is connected and serving.
     */
    @Override
    public boolean ready() {
        return api.map(ApiSide::ready).orElseGet(() -> nodes.values().stream().anyMatch(NodeAttachment::isServing));
    }

    /** The API node's view of every shard, in configuration order; empty for a backend-only process. */
    public List<ShardStatus> shards() {
        return api.map(ApiSide::status).orElse(List.of());
    }

    @Override
    public void close() {
        List.copyOf(nodes.values()).forEach(NodeAttachment::close);
        api.ifPresent(ApiSide::close);
        runtime.close();
        LOGGER.info("AMQP switch closed node={}", config.nodeId());
    }

    private ApiSide api() {
        return api.orElseThrow(() -> new IllegalStateException("this switch is configured without the API side"));
    }

    private static String version() {
        return Optional.ofNullable(AmqpSwitch.class.getPackage().getImplementationVersion())
                .orElse("dev");
    }
}
