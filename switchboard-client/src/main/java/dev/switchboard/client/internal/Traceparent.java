package dev.switchboard.client.internal;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The W3C trace context the SDK creates for each call (version 00, random trace and parent ids, sampled): the servers
 * carry it through the switch into the written records' {@code traceparent} header, so an event read back names the
 * call that wrote it even when the application does no tracing of its own. Sampled, as a root span the server made
 * itself would be, so a server exporting spans over OTLP records the call's spans as before.
 */
final class Traceparent {
    static final String HEADER = "traceparent";
    private static final HexFormat HEX = HexFormat.of();

    private Traceparent() {}

    static String create() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long traceHigh;
        long traceLow;
        long parent;
        do { // all-zero ids are invalid in W3C trace context
            traceHigh = random.nextLong();
            traceLow = random.nextLong();
        } while (traceHigh == 0 && traceLow == 0);
        do {
            parent = random.nextLong();
        } while (parent == 0);
        return "00-" + HEX.toHexDigits(traceHigh) + HEX.toHexDigits(traceLow) + "-" + HEX.toHexDigits(parent) + "-01";
    }
}
