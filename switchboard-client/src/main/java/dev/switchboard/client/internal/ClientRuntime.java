package dev.switchboard.client.internal;

import dev.switchboard.client.Publisher;
import dev.switchboard.client.PublisherOptions;
import dev.switchboard.client.RetryPolicy;
import dev.switchboard.client.Subscriber;
import dev.switchboard.client.SubscriberOptions;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@code SwitchboardClient} runs on: the transport, the retry loop, and the publishers and subscribers it
 * made, which it closes when it is closed itself. Thread-safe.
 */
public final class ClientRuntime implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(ClientRuntime.class);

    private final Rpc rpc;
    private final Clock clock;
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();

    /** A runtime talking HTTP or TCP (by each URL's scheme) to the API nodes in {@code settings}. */
    public ClientRuntime(ChannelSettings settings, RetryPolicy policy) {
        this(
                Channels.open(settings),
                new Retrier(
                        policy, Sleeper.REAL, () -> ThreadLocalRandom.current().nextDouble()),
                Clock.systemUTC());
    }

    ClientRuntime(Exchanger exchanger, Retrier retrier, Clock clock) {
        this.rpc = new Rpc(exchanger, retrier);
        this.clock = clock;
    }

    /** Allocates a write session and returns its publisher. */
    public Publisher publisher(PublisherOptions options) {
        Rpc calls = options.retryBudget().map(rpc::withBudget).orElse(rpc).spread();
        Publisher publisher = Interruptibly.call(() -> DefaultPublisher.open(calls, options, open::remove));
        open.add(publisher);
        return publisher;
    }

    /**
     * Allocates a read session and returns its subscriber: a streaming one when every URL is {@code sb(s)://} and
     * the options' {@code streamWindow} is not 0, else a polling one.
     */
    public Subscriber subscriber(SubscriberOptions options) {
        Rpc calls = options.retryBudget().map(rpc::withBudget).orElse(rpc).spread();
        Subscriber subscriber = Interruptibly.call(() -> options.streamWindow() > 0 && calls.streams()
                ? StreamingSubscriber.open(calls, options, clock, open::remove)
                : DefaultSubscriber.open(calls, options, clock, open::remove));
        open.add(subscriber);
        return subscriber;
    }

    /** Whether subscribers read by streaming delivery (every URL is {@code sb(s)://}). */
    public boolean streamsReads() {
        return rpc.streams();
    }

    /** Closes every publisher (flushing it) and subscriber still open, then the transport. */
    @Override
    public void close() {
        for (AutoCloseable closeable : List.copyOf(open)) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOGGER.warn("closing {} failed: {}", closeable, e.toString());
            }
        }
        rpc.close();
    }
}
