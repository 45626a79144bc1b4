package dev.switchboard.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.SessionMode;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GrantsTest {

    @Test
    void globsMatchWholeTopicNamesWithStarAndQuestionMark() {
        assertThat(Grants.matches("orders.*", "orders.eu")).isTrue();
        assertThat(Grants.matches("orders.*", "orders.")).isTrue();
        assertThat(Grants.matches("orders.*", "ordersXeu")).isFalse(); // the dot is literal
        assertThat(Grants.matches("orders.*", "my.orders.eu")).isFalse();
        assertThat(Grants.matches("*", "anything")).isTrue();
        assertThat(Grants.matches("log-?", "log-1")).isTrue();
        assertThat(Grants.matches("log-?", "log-12")).isFalse();
    }

    @Test
    void onlyWellFormedSwitchboardScopesGrantAndWriteDoesNotImplyRead() {
        Grants grants = Grants.of(
                "bob",
                List.of(
                        "openid",
                        "switchboard:write:orders.*",
                        "switchboard:read:bad pattern",
                        "switchboard:admin:*",
                        "switchboard:read:"));

        assertThat(grants.readPatterns()).isEmpty();
        assertThat(grants.writePatterns()).containsExactly("orders.*");
        grants.check("orders.eu", SessionMode.WRITE);
        assertThatThrownBy(() -> grants.check("orders.eu", SessionMode.READ))
                .isInstanceOfSatisfying(
                        SwitchboardException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
                .hasMessageContaining("does not grant reading topic 'orders.eu'");
    }

    @Test
    void theLinearMatcherAgreesWithARegularExpressionOnRandomGlobs() {
        Random random = new Random(11);
        String alphabet = "ab.";
        for (int i = 0; i < 20_000; i++) {
            String glob = randomText(random, "ab.*?", 8);
            String topic = randomText(random, alphabet, 10);
            assertThat(Grants.matches(glob, topic))
                    .as("glob '%s' topic '%s'", glob, topic)
                    .isEqualTo(regexMatches(glob, topic));
        }
    }

    @Test
    @Timeout(30) // a guard only: a backtracking matcher would not finish this within the age of the universe
    void aPathologicalGlobIsDecidedWithoutBacktracking() {
        String glob = "*a".repeat(60) + "*b";
        String topic = "a".repeat(249);

        assertThat(Grants.matches(glob, topic)).isFalse();
        assertThat(Grants.matches(glob, topic.substring(1) + "b")).isTrue();
    }

    @Test
    void topicNamesAreCheckedBeforeAnyGrantSeesThem() {
        assertThatThrownBy(() -> RequestChecks.topicName("a".repeat(250)))
                .isInstanceOfSatisfying(
                        SwitchboardException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        assertThatThrownBy(() -> RequestChecks.topicName("__consumer_offsets"))
                .isInstanceOf(SwitchboardException.class);
        assertThatThrownBy(() -> RequestChecks.topicName("orders eu")).isInstanceOf(SwitchboardException.class);
        RequestChecks.topicName("orders.eu-1_x");
    }

    private static String randomText(Random random, String alphabet, int maxLength) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /** The reference: the regular expression the matcher replaced. */
    private static boolean regexMatches(String glob, String topic) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.matches(regex.toString(), topic);
    }
}
