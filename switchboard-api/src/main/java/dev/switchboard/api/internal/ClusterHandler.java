package dev.switchboard.api.internal;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditSink;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.switching.amqp.NodeStatus;
import dev.switchboard.switching.amqp.ShardStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /v1/cluster}: the cluster as this API node sees it, as JSON, for {@code switchboard status} and the
 * dashboard: this node, every shard with its broker connection and backend nodes (from presence: state, sessions,
 * load, version, last beat), and this node's traffic totals. Needs a bearer token with the
 * {@value Grants#ADMIN_SCOPE} scope (401 without a valid token, 403 without the scope) on nodes that check tokens.
 */
public final class ClusterHandler extends Handler.Abstract {
    public static final String PATH = "/v1/cluster";

    private final Optional<TokenVerifier> tokens;
    private final Supplier<List<ShardStatus>> shards;
    private final ApiMeters meters;
    private final String nodeId;
    private final String version;
    private final AuditSink audit;
    private final Supplier<Optional<String>> tcpUrl;

    /** @param tcpUrl this node's binary TCP URL ({@code sb://}, {@code sbs://}), when it listens on one */
    public ClusterHandler(
            Optional<TokenVerifier> tokens,
            Supplier<List<ShardStatus>> shards,
            ApiMeters meters,
            String nodeId,
            String version,
            AuditSink audit,
            Supplier<Optional<String>> tcpUrl) {
        this.audit = audit;
        this.tcpUrl = tcpUrl;
        this.tokens = tokens;
        this.shards = shards;
        this.meters = meters;
        this.nodeId = nodeId;
        this.version = version;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!HttpMethod.GET.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            return PlainText.answer(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method not allowed");
        }
        AuditEvent admin = AuditEvent.of(Instant.now(), "admin", "ok", nodeId)
                .withCall("GET " + PATH)
                .withRemote(Request.getRemoteAddr(request));
        try {
            Optional<Grants> grants = tokens.map(verifier ->
                    verifier.verify(Optional.ofNullable(request.getHeaders().get(HttpHeader.AUTHORIZATION))));
            admin = admin.withSubject(grants.map(Grants::subject).orElse(null));
            grants.ifPresent(Grants::checkAdmin);
            audit.record(admin);
        } catch (SwitchboardException e) {
            audit.record(
                    admin.withOutcome(e.code().name().toLowerCase(Locale.ROOT)).withReason(e.getMessage()));
            int status = e.code() == ErrorCode.FORBIDDEN
                    ? HttpStatus.FORBIDDEN_403
                    : e.code() == ErrorCode.UNAUTHENTICATED
                            ? HttpStatus.UNAUTHORIZED_401
                            : HttpStatus.SERVICE_UNAVAILABLE_503;
            if (status == HttpStatus.UNAUTHORIZED_401) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            }
            return PlainText.answer(response, callback, status, e.getMessage());
        }
        byte[] body = JSONObjectUtils.toJSONString(view()).getBytes(StandardCharsets.UTF_8);
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private Map<String, Object> view() {
        Map<String, Object> api = new LinkedHashMap<>();
        api.put("node", nodeId);
        api.put("version", version);
        api.put("time", Instant.now().toString());
        tcpUrl.get().ifPresent(url -> api.put("tcp-url", url));
        List<Object> shardViews = new ArrayList<>();
        for (ShardStatus shard : shards.get()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("shard", shard.shard());
            view.put("connected", shard.connected());
            view.put("serving", shard.takesSessions());
            List<Object> nodes = new ArrayList<>();
            for (NodeStatus node : shard.nodes()) {
                Map<String, Object> nodeView = new LinkedHashMap<>();
                nodeView.put("node", node.node());
                nodeView.put("state", node.state().name().toLowerCase(Locale.ROOT));
                if (node.sessions().isPresent()) {
                    nodeView.put("sessions", node.sessions().getAsInt());
                }
                nodeView.put("inflight", node.inflight());
                nodeView.put("kafka-reachable", node.kafkaReachable());
                nodeView.put("version", node.version());
                nodeView.put("last-seen", node.lastSeen().toString());
                nodes.add(nodeView);
            }
            view.put("nodes", nodes);
            shardViews.add(view);
        }
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("api", api);
        cluster.put("shards", shardViews);
        cluster.put("traffic", meters.traffic());
        return cluster;
    }
}
