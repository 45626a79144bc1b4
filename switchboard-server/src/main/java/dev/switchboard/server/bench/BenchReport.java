package dev.switchboard.server.bench;

/** What a finished run reports besides its phase lines: the last line, and the whole run as JSON. */
public interface BenchReport {

    /** The last line of the output, starting with {@code ratio=}. */
    String summaryLine();

    String toJson();
}
