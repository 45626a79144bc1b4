package dev.switchboard.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** deploy/observability: the files parse, and every switchboard_* name they use is documented in docs/metrics.md. */
class ObservabilityFilesTest {
    private static final Path DIR = Path.of("..", "deploy", "observability");
    private static final Pattern NAME = Pattern.compile("switchboard_[a-z_]+");

    @Test
    void grafanaDashboardUsesOnlyDocumentedMetrics() throws Exception {
        String text = Files.readString(DIR.resolve("grafana-dashboard.json"));
        JsonNode dashboard = new ObjectMapper().readTree(text);
        assertThat(dashboard.get("panels")).isNotEmpty();
        assertThat(dashboard.findValuesAsText("expr")).isNotEmpty();
        assertDocumented(text);
    }

    @Test
    void alertRulesUseOnlyDocumentedMetrics() throws Exception {
        String text = Files.readString(DIR.resolve("alerts.yml"));
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(text);
        assertThat(rules.at("/groups/0/rules").findValuesAsText("alert"))
                .contains(
                        "SwitchboardShardWithoutServingBackend",
                        "SwitchboardCommitLatencyHigh",
                        "SwitchboardRejectedRecords",
                        "SwitchboardDrainStuck");
        assertDocumented(text);
    }

    private static void assertDocumented(String text) throws Exception {
        Set<String> used = new TreeSet<>();
        Matcher matcher = NAME.matcher(text);
        while (matcher.find()) {
            used.add(matcher.group().replaceFirst("_seconds_(bucket|count|sum|max)$", "_seconds"));
        }
        assertThat(used).isNotEmpty();
        assertThat(PrometheusText.documented().keySet()).containsAll(used);
    }
}
