package dev.switchboard.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.SessionMode;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
