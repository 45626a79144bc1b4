package dev.switchboard.core.session;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A session id, {@code <shard>.<node>.<random>}: it names the shard and the backend node hosting the session,
 * so any API node can route a request without shared state. The random part makes ids unguessable.
 */
public record SessionId(String shard, String node, String random) {
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public SessionId {
        requirePart("shard", shard);
        requirePart("node", node);
        requirePart("random", random);
    }

    public static SessionId create(String shard, String node) {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return new SessionId(
                shard, node, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** Parses a client-supplied id; a malformed one is an INVALID_REQUEST naming what is wrong. */
    public static SessionId parse(String text) {
        if (text == null || text.isEmpty()) {
            throw SwitchboardException.of(ErrorCode.INVALID_REQUEST, "session id is missing");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 3) {
            throw malformed("expected 3 dot-separated parts <shard>.<node>.<random>, got " + parts.length);
        }
        String[] names = {"shard", "node", "random"};
        for (int i = 0; i < 3; i++) {
            if (!isValidPart(parts[i])) {
                throw malformed("the " + names[i] + " part must be 1 to 64 of A-Z a-z 0-9 _ -");
            }
        }
        return new SessionId(parts[0], parts[1], parts[2]);
    }

    private static SwitchboardException malformed(String why) {
        // The client's text is not echoed: it may be long or hold anything.
        return SwitchboardException.of(ErrorCode.INVALID_REQUEST, "malformed session id: " + why);
    }

    /** True when {@code name} may be used as a shard or node name. */
    public static boolean isValidPart(@Nullable String name) {
        return name != null && PART.matcher(name).matches();
    }

    private static void requirePart(String what, String value) {
        if (!isValidPart(value)) {
            throw new IllegalArgumentException(what + " must match " + PART.pattern() + ", got: " + value);
        }
    }

    @Override
    public String toString() {
        return shard + "." + node + "." + random;
    }
}
