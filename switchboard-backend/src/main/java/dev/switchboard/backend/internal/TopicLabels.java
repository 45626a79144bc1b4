package dev.switchboard.backend.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code topic} label of a metric: the first {@code limit} distinct topics a node meets keep their own name,
 * every later one is folded into {@value #OTHER}, so a node that serves a million topics still exports a bounded
 * number of time series.
 */
public final class TopicLabels {
    public static final String OTHER = "other";
    /** Enough for the topics an operator looks at; beyond that a label per topic costs more than it tells. */
    public static final int DEFAULT_LIMIT = 100;

    private final int limit;
    private final Set<String> labelled = ConcurrentHashMap.newKeySet();

    public TopicLabels(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        this.limit = limit;
    }

    /** The label for {@code topic}: its own name while there is room, else {@value #OTHER}. */
    public String of(String topic) {
        if (labelled.contains(topic)) {
            return topic;
        }
        // A race may let a few more than limit in; the bound is what matters, not its exact value.
        if (labelled.size() < limit) {
            labelled.add(topic);
            return topic;
        }
        return OTHER;
    }
}
