package dev.switchboard.server.roles;

import dev.switchboard.backend.BackendConfig;
import dev.switchboard.backend.BackendNode;
import dev.switchboard.server.config.BackendSettings;
import dev.switchboard.switching.Switch;
import dev.switchboard.switching.amqp.AmqpSwitch;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend node as a process of its own: one {@link BackendNode} attached to its shard's broker through the
 * AMQP switch, encrypting at rest with the cluster's shared keystore.
 *
 * <p>Closing drains in this order: the attachment stops consuming the allocation queue (no new sessions come
 * here, the shard's other nodes take them), the node answers new work on its sessions with DRAINING (the SDK
 * re-allocates elsewhere) while queued work and in-flight commits finish, then the node's queue goes.
 */
public final class BackendRole implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(BackendRole.class);
    private static final Duration READY_POLL = Duration.ofMillis(100);

    private final BackendSettings settings;
    private final AmqpSwitch amqpSwitch;
    private final BackendNode node;
    private final Switch.Attachment attachment;
    private final AtomicBoolean closed = new AtomicBoolean();

    private BackendRole(
            BackendSettings settings, AmqpSwitch amqpSwitch, BackendNode node, Switch.Attachment attachment) {
        this.settings = settings;
        this.amqpSwitch = amqpSwitch;
        this.node = node;
        this.attachment = attachment;
    }

    /**
     * Reads the cluster secret, starts the node and attaches it to the switch. Logs "ready" once the node is
     * connected to its broker and takes sessions (at once, or later when the broker comes up).
     */
    public static BackendRole start(BackendSettings settings) {
        byte[] secret = settings.readClusterSecret();
        BackendConfig config = settings.backendConfig(); // reads the keystore password: fails before connecting
        AmqpSwitch amqpSwitch = AmqpSwitch.create(settings.switchConfig());
        BackendNode node = null;
        try {
            node = BackendNode.start(config, secret, Clock.systemUTC());
            Switch.Attachment attachment = amqpSwitch.attach(node);
            BackendRole role = new BackendRole(settings, amqpSwitch, node, attachment);
            Thread.ofVirtual().name("backend-ready").start(role::logWhenReady);
            return role;
        } catch (RuntimeException e) {
            if (node != null) {
                node.close();
            }
            amqpSwitch.close();
            throw e;
        }
    }

    private void logWhenReady() {
        try {
            while (!closed.get() && !amqpSwitch.ready()) {
                Thread.sleep(READY_POLL);
            }
        } catch (InterruptedException e) {
            return;
        }
        if (!closed.get()) {
            LOGGER.info(
                    "ready role=backend node={} shard={} broker={}",
                    settings.nodeId(),
                    settings.shard(),
                    settings.shardUri().getHost() + ":" + settings.shardUri().getPort());
        }
    }

    /** Drains (see the class comment) and stops. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOGGER.info("draining role=backend node={} shard={}", settings.nodeId(), settings.shard());
        attachment.drain();
        node.drain();
        node.close();
        attachment.close();
        amqpSwitch.close();
        LOGGER.info("stopped role=backend node={} shard={}", settings.nodeId(), settings.shard());
    }
}
