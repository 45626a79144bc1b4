package dev.switchboard.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A client's sessions spread over its URLs: each session's view of the channel starts at the next API node in
 * turn, and fails over on its own when its node cannot be reached.
 */
class FailoverChannelSpreadTest {
    private final List<String> calls = new ArrayList<>();
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    private final FailoverChannel channel = new FailoverChannel(List.of(node("a"), node("b"), node("c")), List.of());

    @Test
    void eachSessionStartsAtTheNextNodeInTurn() throws Exception {
        List<Exchanger> sessions = List.of(channel.spread(), channel.spread(), channel.spread(), channel.spread());

        for (Exchanger session : sessions) {
            session.exchange(new byte[0], Duration.ZERO, Map.of());
        }

        assertThat(calls).containsExactly("a", "b", "c", "a");
    }

    @Test
    void aSessionStaysOnItsNodeAndFailsOverOnItsOwn() throws Exception {
        Exchanger first = channel.spread();
        Exchanger second = channel.spread();
        first.exchange(new byte[0], Duration.ZERO, Map.of());
        second.exchange(new byte[0], Duration.ZERO, Map.of());
        second.exchange(new byte[0], Duration.ZERO, Map.of());
        assertThat(calls).containsExactly("a", "b", "b");

        // when b cannot be reached, the second session moves on to c and stays there; the first stays on a
        calls.clear();
        down.add("b");
        second.exchange(new byte[0], Duration.ZERO, Map.of());
        down.clear();
        second.exchange(new byte[0], Duration.ZERO, Map.of());
        first.exchange(new byte[0], Duration.ZERO, Map.of());
        assertThat(calls).containsExactly("c", "c", "a");
    }

    @Test
    void closingASessionsViewLeavesTheChannelOpen() throws Exception {
        channel.spread().close();

        channel.spread().exchange(new byte[0], Duration.ZERO, Map.of());

        assertThat(calls).hasSize(1);
    }

    private Endpoint node(String name) {
        return new Endpoint() {
            private boolean closed;

            @Override
            public URI url() {
                return URI.create("http://" + name);
            }

            @Override
            public byte[] exchange(byte[] message, Duration extraTime, Map<String, String> headers)
                    throws ConnectException {
                if (closed) {
                    throw new IllegalStateException(name + " is closed");
                }
                if (down.contains(name)) {
                    throw new ConnectException(name + " is down");
                }
                calls.add(name);
                return new byte[0];
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }
}
