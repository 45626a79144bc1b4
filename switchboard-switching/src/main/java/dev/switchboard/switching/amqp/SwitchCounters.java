package dev.switchboard.switching.amqp;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one AMQP switch (both sides) refused, dropped or repaired, for metrics: running totals since start.
 * Thread-safe; the count methods are for the switch itself.
 */
public final class SwitchCounters {
    private final LongAdder allocateAnswersRefused = new LongAdder();
    private final LongAdder repliesFailed = new LongAdder();
    private final LongAdder expiredRequestsDropped = new LongAdder();
    private final LongAdder channelsRecovered = new LongAdder();
    private final LongAdder oversizedRequestsRefused = new LongAdder();

    /** API side: allocate answers naming a session of another shard, or of a node presence does not know. */
    public long allocateAnswersRefused() {
        return allocateAnswersRefused.sum();
    }

    /**
     * Backend side: replies that could not be published, or that the broker returned because the asking API node's
     * reply queue was gone (each logged at WARN).
     */
    public long repliesFailed() {
        return repliesFailed.sum();
    }

    /** Backend side: requests whose deadline had passed when they were taken off the queue, dropped unrun. */
    public long expiredRequestsDropped() {
        return expiredRequestsDropped.sum();
    }

    /** Both sides: channels that failed with a channel-level error and were re-created. */
    public long channelsRecovered() {
        return channelsRecovered.sum();
    }

    /** API side: requests larger than the switch's message limit, answered PAYLOAD_TOO_LARGE unsent. */
    public long oversizedRequestsRefused() {
        return oversizedRequestsRefused.sum();
    }

    public void countAllocateAnswerRefused() {
        allocateAnswersRefused.increment();
    }

    public void countReplyFailed() {
        repliesFailed.increment();
    }

    public void countExpiredRequestDropped() {
        expiredRequestsDropped.increment();
    }

    public void countChannelRecovered() {
        channelsRecovered.increment();
    }

    public void countOversizedRequestRefused() {
        oversizedRequestsRefused.increment();
    }
}
