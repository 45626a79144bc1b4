package dev.switchboard.backend.internal;

import dev.switchboard.protocol.thrift.Guarantee;
import dev.switchboard.protocol.thrift.SessionMode;
import java.util.Optional;

/**
 * A validated allocate request.
 *
 * @param topic a legal Kafka topic name
 * @param mode read or write
 * @param start readers: where to start
 * @param writerId writers: the client's writer id, when it gave one
 * @param lastCommittedHint writers: the last chunk seq the client knows committed (0 when not given)
 * @param guarantee writers: at-least-once (default) or exactly-once
 * @param principal the authenticated subject the API tier put on the request; empty without tokens
 */
record AllocationSpec(
        String topic,
        SessionMode mode,
        ReadStart start,
        Optional<String> writerId,
        long lastCommittedHint,
        String principal,
        Guarantee guarantee) {}
