package dev.switchboard.switching.amqp.internal;

import com.rabbitmq.client.ConnectionFactory;
import dev.switchboard.switching.amqp.SwitchCounters;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import javax.net.ssl.SSLContext;

/**
 * The threads and time one switch shares between its shard connections: virtual threads for anything that
 * blocks or runs user code (handling deliveries, completing futures, connecting), one scheduler thread for
 * timers, one platform thread for a backend node's presence beats, daemon platform threads for the client
 * library's socket readers.
 *
 * @param presence runs a backend node's presence beats: a platform thread of its own, because the virtual threads
 *     run first come first served on their carriers, and on a node capped at a fraction of a core (one carrier) a
 *     beat queued there waited behind every request the node held, so API nodes took a busy node for gone
 */
public record SwitchRuntime(
        Clock clock,
        ScheduledExecutorService scheduler,
        ScheduledExecutorService presence,
        ExecutorService executor,
        Optional<SSLContext> trusted,
        SwitchCounters counters)
        implements AutoCloseable {
    private static final int REQUESTED_HEARTBEAT_SECONDS = 10;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    /** A runtime whose {@code amqps} connections trust the JVM's default trust store. */
    public static SwitchRuntime create(Clock clock) {
        return create(clock, Optional.empty());
    }

    /** A runtime whose {@code amqps} connections trust exactly {@code trusted}, when present. */
    public static SwitchRuntime create(Clock clock, Optional<SSLContext> trusted) {
        ThreadFactory timers =
                Thread.ofPlatform().daemon().name("switchboard-amqp-timer-", 0).factory();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, timers);
        scheduler.setRemoveOnCancelPolicy(true); // request timers are cancelled on reply: do not keep them around
        ScheduledThreadPoolExecutor presence = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("switchboard-presence-", 0).factory());
        presence.setRemoveOnCancelPolicy(true); // a detached node's beats do not stay queued
        return new SwitchRuntime(
                clock,
                scheduler,
                presence,
                Executors.newThreadPerTaskExecutor(
                        Thread.ofVirtual().name("switchboard-amqp-", 0).factory()),
                trusted,
                new SwitchCounters());
    }

    /**
     * A connection factory for {@code uri}: no automatic recovery ({@link ShardConnection} reconnects),
     * deliveries dispatched on virtual threads, and for {@code amqps} the trusted certificates (or else the JVM's
     * default trust store) with host name verification (the client's own default for {@code amqps} URIs trusts
     * every certificate).
     */
    public ConnectionFactory connectionFactory(URI uri) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            if ("amqps".equalsIgnoreCase(uri.getScheme())) {
                // Given as amqp: for amqps the client would first install its trust-everything manager (and log
                // a security alert about it) before ours replaces it.
                factory.setUri(URI.create(
                        "amqp" + uri.toString().substring(uri.getScheme().length())));
                if (uri.getPort() == -1) {
                    factory.setPort(ConnectionFactory.DEFAULT_AMQP_OVER_SSL_PORT);
                }
                factory.useSslProtocol(trusted.isPresent() ? trusted.get() : SSLContext.getDefault());
                factory.enableHostnameVerification();
            } else {
                factory.setUri(uri);
            }
        } catch (URISyntaxException | GeneralSecurityException e) {
            // The URI is not echoed: it may carry a password.
            throw new IllegalArgumentException("invalid AMQP URI for host " + uri.getHost(), e);
        }
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setConnectionTimeout(CONNECT_TIMEOUT_MILLIS);
        factory.setHandshakeTimeout(CONNECT_TIMEOUT_MILLIS);
        factory.setRequestedHeartbeat(REQUESTED_HEARTBEAT_SECONDS);
        factory.setChannelRpcTimeout(CONNECT_TIMEOUT_MILLIS); // declarations and cancels never hang for long
        factory.setSharedExecutor(executor);
        factory.setThreadFactory(
                Thread.ofPlatform().daemon().name("switchboard-amqp-io-", 0).factory());
        return factory;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        presence.shutdownNow();
        executor.shutdownNow();
    }
}
