package dev.switchboard.server.ops;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scraped Prometheus text page, read just enough for tests: samples by name and labels, and metric names. */
public record PrometheusText(Map<String, Double> samples) {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+).*$");
    private static final Pattern DOCUMENTED =
            Pattern.compile("^\\| `(switchboard_[a-z0-9_]+)` \\|[^|]*\\|[^|]*\\| (\\w+) \\|");

    public static PrometheusText scrape(URI metrics) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(metrics).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                throw new IOException(metrics + " answered " + response.statusCode());
            }
            return parse(response.body());
        }
    }

    /** The HTTP status of a GET. */
    public static int status(URI uri) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }
    }

    public static PrometheusText parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            Matcher matcher = SAMPLE.matcher(line);
            if (matcher.matches()) {
                String labels = matcher.group(2) == null ? "" : matcher.group(2);
                samples.put(matcher.group(1) + labels, Double.parseDouble(matcher.group(3)));
            }
        }
        return new PrometheusText(samples);
    }

    /** The value of one sample, e.g. {@code value("switchboard_events_written_total", "topic", "t")}; 0 if absent. */
    public double value(String name, String... labels) {
        return samples.entrySet().stream()
                .filter(entry -> nameOf(entry.getKey()).equals(name) && hasLabels(entry.getKey(), labels))
                .mapToDouble(Map.Entry::getValue)
                .sum();
    }

    /** The metric names (histogram series folded into their histogram's name) that start with {@code prefix}. */
    public Set<String> names(String prefix) {
        Set<String> names = new TreeSet<>();
        for (String sample : samples.keySet()) {
            String name = nameOf(sample);
            if (name.startsWith(prefix)) {
                names.add(name.replaceFirst("_seconds_(bucket|count|sum|max)$", "_seconds"));
            }
        }
        return names;
    }

    /** The names docs/metrics.md lists, with their "where" column. */
    public static Map<String, String> documented() throws IOException {
        Path doc = Path.of("..", "docs", "metrics.md");
        Map<String, String> names = new LinkedHashMap<>();
        for (String line : Files.readAllLines(doc)) {
            Matcher matcher = DOCUMENTED.matcher(line);
            if (matcher.find()) {
                names.put(matcher.group(1), matcher.group(2));
            }
        }
        return names;
    }

    private static String nameOf(String sample) {
        int brace = sample.indexOf('{');
        return brace < 0 ? sample : sample.substring(0, brace);
    }

    private static boolean hasLabels(String sample, String... labels) {
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (!sample.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                return false;
            }
        }
        return true;
    }
}
