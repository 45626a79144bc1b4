package dev.switchboard.api.internal;

import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.SwitchboardException;
import dev.switchboard.protocol.thrift.SessionMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The topics a token grants, from its scopes: {@code switchboard:read:<topic-pattern>} and
 * {@code switchboard:write:<topic-pattern>}, where the pattern is a glob ({@code *} any run of characters,
 * {@code ?} one character, everything else literal). Other scopes are ignored. Write does not imply read.
 */
public record Grants(String subject, List<String> readPatterns, List<String> writePatterns, boolean admin) {
    /** The scope of operators: {@code GET /v1/cluster}, {@code switchboard status}, the dashboard. */
    public static final String ADMIN_SCOPE = "switchboard:admin";

    static final String READ_PREFIX = "switchboard:read:";
    static final String WRITE_PREFIX = "switchboard:write:";
    private static final Pattern GLOB = Pattern.compile("[a-zA-Z0-9._*?-]{1,249}");

    public Grants {
        readPatterns = List.copyOf(readPatterns);
        writePatterns = List.copyOf(writePatterns);
    }

    public Grants(String subject, List<String> readPatterns, List<String> writePatterns) {
        this(subject, readPatterns, writePatterns, false);
    }

    /** The grants in {@code scopes}; malformed switchboard scopes are ignored (they grant nothing). */
    public static Grants of(String subject, Collection<String> scopes) {
        List<String> read = new ArrayList<>();
        List<String> write = new ArrayList<>();
        boolean admin = false;
        for (String scope : scopes) {
            admin |= scope.equals(ADMIN_SCOPE);
            if (scope.startsWith(READ_PREFIX) && isGlob(scope.substring(READ_PREFIX.length()))) {
                read.add(scope.substring(READ_PREFIX.length()));
            } else if (scope.startsWith(WRITE_PREFIX) && isGlob(scope.substring(WRITE_PREFIX.length()))) {
                write.add(scope.substring(WRITE_PREFIX.length()));
            }
        }
        return new Grants(subject, read, write, admin);
    }

    static boolean isGlob(String pattern) {
        return GLOB.matcher(pattern).matches();
    }

    /** Nothing when {@code mode} on {@code topic} is granted; FORBIDDEN naming what is missing otherwise. */
    public void check(String topic, SessionMode mode) {
        boolean write = mode == SessionMode.WRITE;
        List<String> patterns = write ? writePatterns : readPatterns;
        for (String pattern : patterns) {
            if (matches(pattern, topic)) {
                return;
            }
        }
        String needed = (write ? WRITE_PREFIX : READ_PREFIX) + "<pattern matching '" + topic + "'>";
        throw SwitchboardException.of(
                ErrorCode.FORBIDDEN,
                "the token of '" + subject + "' does not grant " + (write ? "writing" : "reading") + " topic '" + topic
                        + "': it needs a scope " + needed + granted());
    }

    /** Nothing when the token holds {@value #ADMIN_SCOPE}; FORBIDDEN naming it otherwise. */
    public void checkAdmin() {
        if (!admin) {
            throw SwitchboardException.of(
                    ErrorCode.FORBIDDEN,
                    "the token of '" + subject + "' does not grant operating the cluster: it needs the scope "
                            + ADMIN_SCOPE);
        }
    }

    private String granted() {
        List<String> all = new ArrayList<>();
        readPatterns.forEach(p -> all.add(READ_PREFIX + p));
        writePatterns.forEach(p -> all.add(WRITE_PREFIX + p));
        return all.isEmpty() ? " (it grants no switchboard scope)" : " (it grants " + String.join(" ", all) + ")";
    }

    /**
     * Glob match without regular expressions or backtracking: the pattern splits at {@code *} into literal segments
     * ({@code ?} = any one character); the first must match at the start, the last at the end, and each one between
     * at its leftmost place after the previous (leftmost is always safe for globs). Each segment is placed once, so
     * the cost is at most topic length x pattern length character comparisons (both at most 249), whatever the
     * pattern (a regex of {@code *a*a*a*...} could take exponential time).
     */
    static boolean matches(String glob, String topic) {
        int star = glob.indexOf('*');
        if (star < 0) {
            return glob.length() == topic.length() && segmentAt(glob, 0, glob.length(), topic, 0);
        }
        int lastStar = glob.lastIndexOf('*');
        int suffixLength = glob.length() - lastStar - 1;
        if (star + suffixLength > topic.length()
                || !segmentAt(glob, 0, star, topic, 0)
                || !segmentAt(glob, lastStar + 1, glob.length(), topic, topic.length() - suffixLength)) {
            return false;
        }
        int position = star;
        int end = topic.length() - suffixLength;
        int segmentStart = star + 1;
        while (segmentStart <= lastStar) {
            int segmentEnd = glob.indexOf('*', segmentStart);
            int length = segmentEnd - segmentStart;
            int found = -1;
            for (int at = position; at + length <= end; at++) {
                if (segmentAt(glob, segmentStart, segmentEnd, topic, at)) {
                    found = at;
                    break;
                }
            }
            if (found < 0) {
                return false;
            }
            position = found + length;
            segmentStart = segmentEnd + 1;
        }
        return true;
    }

    /** True when glob[from, to) (literals and {@code ?}) matches topic at {@code at}. */
    private static boolean segmentAt(String glob, int from, int to, String topic, int at) {
        if (at < 0 || at + (to - from) > topic.length()) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = glob.charAt(i);
            if (c != '?' && c != topic.charAt(at + i - from)) {
                return false;
            }
        }
        return true;
    }
}
