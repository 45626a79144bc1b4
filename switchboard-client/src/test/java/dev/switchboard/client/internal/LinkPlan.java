package dev.switchboard.client.internal;

/**
 * How a {@link FaultyLink} misbehaves: the probability of each fault per exchange, the exchange at which the
 * backend node is lost (none when beyond the run), and the seed of its dice.
 */
record LinkPlan(
        double lostRequests,
        double lostAnswers,
        double duplicatedRequests,
        double delayedRequests,
        int nodeLostAt,
        long seed) {}
