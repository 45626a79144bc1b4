package dev.switchboard.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calls an API node has answered so far, by call name ({@code read}, {@code ack}, {@code write}, {@code commit},
 * ...): its {@code switchboard_requests_total} counters from {@code /metrics}, every outcome summed. A bench phase
 * reports the difference, per 1,000 events.
 */
@FunctionalInterface
public interface ApiRequests {
    /** Counts nothing: the phases report no calls. */
    ApiRequests NONE = Map::of;

    /** The calls answered so far, by call name; empty when unknown. */
    Map<String, Long> snapshot();

    String METRIC = "switchboard_requests_total";
    Pattern CALL = Pattern.compile("call=\"([^\"]+)\"");

    /** The calls the API node at {@code api} (its HTTP base URL) reports on {@code /metrics}. */
    static ApiRequests of(URI api) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return () -> {
            HttpRequest request = HttpRequest.newBuilder(api.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(10))
                    .build();
            try {
                return parse(
                        http.send(request, HttpResponse.BodyHandlers.ofString()).body());
            } catch (IOException e) {
                return Map.of(); // a starved node may not answer in time: unknown, not a failed run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Map.of();
            }
        };
    }

    /** The calls in a Prometheus text body, by call name. */
    static Map<String, Long> parse(String prometheusText) {
        Map<String, Long> calls = new TreeMap<>();
        for (String line : prometheusText.split("\n")) {
            if (!line.startsWith(METRIC + "{")) {
                continue;
            }
            Matcher call = CALL.matcher(line);
            if (call.find()) {
                long count = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                calls.merge(call.group(1), count, Long::sum);
            }
        }
        return calls;
    }

    /** {@code after - before} per call; empty when either is unknown. */
    static Map<String, Long> between(Map<String, Long> before, Map<String, Long> after) {
        if (before.isEmpty() && after.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((call, count) -> {
            long moved = count - before.getOrDefault(call, 0L);
            if (moved > 0) {
                delta.put(call, moved);
            }
        });
        return delta;
    }
}
