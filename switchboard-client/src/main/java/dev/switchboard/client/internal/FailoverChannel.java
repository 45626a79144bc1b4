package dev.switchboard.client.internal;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover over API nodes of any mix of transports: remembers the node that last worked and starts there; when
 * connecting to it fails the next ones are tried at once, and after an exchange whose answer was lost it moves on,
 * so the retry (the {@link Retrier}'s) goes to another node. Each session gets a view of its own ({@link #spread}),
 * starting at the next node in turn, so a client's sessions spread over its URLs (any API node serves any
 * session); a view fails over the same way, remembering its own node. Thread-safe.
 */
final class FailoverChannel implements Exchanger {
    private static final Logger LOGGER = LoggerFactory.getLogger(FailoverChannel.class);

    private final List<Endpoint> endpoints;
    private final List<AutoCloseable> resources;
    private final AtomicInteger preferred = new AtomicInteger();
    /** Where the next view starts. */
    private final AtomicInteger nextView = new AtomicInteger();

    /** {@code resources} are closed with the channel (what the endpoints share, e.g. an HTTP client). */
    FailoverChannel(List<Endpoint> endpoints, List<AutoCloseable> resources) {
        this.endpoints = List.copyOf(endpoints);
        this.resources = List.copyOf(resources);
    }

    @Override
    public byte[] exchange(byte[] message, Duration extraTime) throws TransientFailure, InterruptedException {
        return exchange(message, extraTime, Map.of());
    }

    @Override
    public byte[] exchange(byte[] message, Duration extraTime, Map<String, String> headers)
            throws TransientFailure, InterruptedException {
        return exchange(preferred, message, extraTime, headers);
    }

    @Override
    public Exchanger spread() {
        AtomicInteger own = new AtomicInteger(Math.floorMod(nextView.getAndIncrement(), endpoints.size()));
        return new Exchanger() {
            @Override
            public byte[] exchange(byte[] message, Duration extraTime) throws TransientFailure, InterruptedException {
                return exchange(message, extraTime, Map.of());
            }

            @Override
            public byte[] exchange(byte[] message, Duration extraTime, Map<String, String> headers)
                    throws TransientFailure, InterruptedException {
                return FailoverChannel.this.exchange(own, message, extraTime, headers);
            }

            @Override
            public boolean streams() {
                return FailoverChannel.this.streams();
            }

            @Override
            public StreamLink stream(byte[] readCall, Map<String, String> headers, int window, StreamSink sink)
                    throws TransientFailure {
                return FailoverChannel.this.stream(own, readCall, headers, window, sink);
            }

            @Override
            public void close() {} // the transport is the channel's
        };
    }

    /** One exchange starting at the node {@code preferred} names, which it moves as failover requires. */
    private byte[] exchange(AtomicInteger preferred, byte[] message, Duration extraTime, Map<String, String> headers)
            throws TransientFailure, InterruptedException {
        int start = preferred.get();
        ConnectException lastRefusal = null;
        for (int i = 0; i < endpoints.size(); i++) {
            int index = (start + i) % endpoints.size();
            Endpoint endpoint = endpoints.get(index);
            byte[] answer;
            try {
                answer = endpoint.exchange(message, extraTime, headers);
            } catch (ConnectException e) {
                LOGGER.debug("cannot connect url={} error={}", endpoint.url(), e.toString());
                lastRefusal = e;
                continue;
            } catch (TransientFailure e) {
                preferred.compareAndSet(index, (index + 1) % endpoints.size());
                throw e;
            }
            preferred.set(index);
            return answer;
        }
        throw new TransientFailure(
                "cannot connect to any of "
                        + endpoints.stream().map(Endpoint::url).toList(),
                lastRefusal);
    }

    @Override
    public boolean streams() {
        return endpoints.stream().allMatch(Endpoint::streams);
    }

    @Override
    public StreamLink stream(byte[] readCall, Map<String, String> headers, int window, StreamSink sink)
            throws TransientFailure {
        return stream(preferred, readCall, headers, window, sink);
    }

    /** Opens a stream at the node {@code preferred} names, moving on as {@link #exchange} does. */
    private StreamLink stream(
            AtomicInteger preferred, byte[] readCall, Map<String, String> headers, int window, StreamSink sink)
            throws TransientFailure {
        int start = preferred.get();
        ConnectException lastRefusal = null;
        for (int i = 0; i < endpoints.size(); i++) {
            int index = (start + i) % endpoints.size();
            Endpoint endpoint = endpoints.get(index);
            StreamLink link;
            try {
                link = endpoint.stream(readCall, headers, window, sink);
            } catch (ConnectException e) {
                LOGGER.debug("cannot connect url={} error={}", endpoint.url(), e.toString());
                lastRefusal = e;
                continue;
            } catch (TransientFailure e) {
                preferred.compareAndSet(index, (index + 1) % endpoints.size());
                throw e;
            }
            preferred.set(index);
            return link;
        }
        throw new TransientFailure(
                "cannot connect to any of "
                        + endpoints.stream().map(Endpoint::url).toList(),
                lastRefusal);
    }

    @Override
    public void close() {
        for (Endpoint endpoint : endpoints) {
            endpoint.close();
        }
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOGGER.debug("close failed: {}", e.toString());
            }
        }
    }
}
