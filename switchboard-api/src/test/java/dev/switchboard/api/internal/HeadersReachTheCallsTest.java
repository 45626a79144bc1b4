package dev.switchboard.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.api.ApiCounters;
import dev.switchboard.protocol.thrift.DisposeRequest;
import dev.switchboard.protocol.thrift.DisposeResponse;
import dev.switchboard.protocol.thrift.Switchboard;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The authentication seam: the HTTP handler hands the call side the request's headers in a {@link CallContext},
 * so an authenticator can wrap the calls without touching HTTP code.
 */
class HeadersReachTheCallsTest {
    private final List<CallContext> contexts = new CopyOnWriteArrayList<>();
    private Server server;
    private URI endpoint;

    @BeforeEach
    void startHandlerAlone() throws Exception {
        Switchboard.Iface disposeOnly = (Switchboard.Iface) Proxy.newProxyInstance(
                Switchboard.Iface.class.getClassLoader(),
                new Class<?>[] {Switchboard.Iface.class},
                (proxy, method, args) -> new DisposeResponse());
        ThriftDispatcher dispatcher = new ThriftDispatcher(1024, context -> {
            contexts.add(context);
            return disposeOnly;
        });
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new ThriftHttpHandler(
                dispatcher, new BoundedBodies(1 << 20, 0, new ApiCounters()), 1024, 1024, headers -> true));
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/v1/thrift");
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void authorizationAndOtherHeadersArriveInTheCallContext() throws Exception {
        // Given a dispose call carrying credentials
        TMemoryBuffer out = new TMemoryBuffer(64);
        Switchboard.Client client =
                new Switchboard.Client(new TCompactProtocol(new TMemoryInputTransport()), new TCompactProtocol(out));
        client.send_dispose(new DisposeRequest("s0.n1.abc"));
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .header("Authorization", "Bearer token-1")
                .header("X-Switchboard-Mac", "mac-1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOf(out.getArray(), out.length())))
                .build();

        // When
        HttpResponse<byte[]> response;
        try (HttpClient http = HttpClient.newHttpClient()) {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        }

        // Then
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(contexts).singleElement().satisfies(context -> {
            assertThat(context.header("authorization")).hasValue("Bearer token-1");
            assertThat(context.header("X-SWITCHBOARD-MAC")).hasValue("mac-1");
            assertThat(context.remoteAddress()).isEqualTo("127.0.0.1");
        });
    }
}
