package dev.switchboard.server.config;

import dev.switchboard.core.session.SessionId;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Default node ids: unique without coordination, and still telling an operator where the node runs. */
public final class NodeIds {
    private static final int MAX_HOST_CHARS = 40;
    private static final SecureRandom RANDOM = new SecureRandom();

    private NodeIds() {}

    /** {@code <host>-<pid>-<random>}, e.g. {@code web-3-41233-9f2c1a}; always a valid session id part. */
    public static String unique() {
        byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        String id = hostPart() + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().formatHex(random);
        if (!SessionId.isValidPart(id)) {
            throw new IllegalStateException("generated an invalid node id: " + id);
        }
        return id;
    }

    /** The short host name with every character a session id may not hold replaced by '-'. */
    static String hostPart() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "node";
        }
        return sanitize(host);
    }

    static String sanitize(String host) {
        String shortName = host.contains(".") ? host.substring(0, host.indexOf('.')) : host;
        String clean = shortName.replaceAll("[^A-Za-z0-9_-]", "-");
        if (clean.isEmpty()) {
            clean = "node";
        }
        return clean.length() > MAX_HOST_CHARS ? clean.substring(0, MAX_HOST_CHARS) : clean;
    }
}
