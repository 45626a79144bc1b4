package dev.switchboard.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Skips a test where {@code --node-cpu} cannot work: the cgroup v1 cpu controller is not mounted at {@code
 * /sys/fs/cgroup/cpu} or cannot be written (not root, cgroup v2 only, e.g. a developer's fresh machine). That is the
 * machine, not the code, so such a test is skipped with the reason rather than failed.
 */
public final class CpuControllerAssumption {
    public static final Path ROOT = Path.of("/sys/fs/cgroup/cpu");

    private CpuControllerAssumption() {}

    public static void assumeWritable() {
        Path probe = ROOT.resolve("switchboard-probe-" + ProcessHandle.current().pid());
        boolean writable;
        try {
            Files.createDirectory(probe);
            writable = Files.isRegularFile(probe.resolve("cpu.cfs_quota_us"));
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException e) {
            writable = false;
        }
        Assumptions.assumeTrue(
                writable,
                "the cgroup v1 cpu controller at " + ROOT + " cannot be written here (needs cgroup v1 and root)");
    }
}
