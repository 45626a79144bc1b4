package dev.switchboard.client;

import java.util.Objects;

/**
 * What a completed publish did.
 *
 * @param events how many events were committed
 * @param durability how they are held: {@link Durability#SPILLED} when any of its chunks was spilled by a
 *     draining node rather than acknowledged by Kafka
 */
public record PublishResult(int events, Durability durability) {
    public PublishResult {
        if (events < 0) {
            throw new IllegalArgumentException("events must not be negative, got " + events);
        }
        Objects.requireNonNull(durability, "durability");
    }
}
