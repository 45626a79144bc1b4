package dev.switchboard.server.localcluster;

/** Which processes a rolling restart ({@link LocalCluster#restart}) replaces. */
public enum RestartRole {
    BACKEND,
    API,
    ALL
}
