package dev.switchboard.server.localcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.server.Main;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of local-cluster that need no processes: its options, the ready line, cluster.json's masking. */
class LocalClusterPartsTest {
    private static final Path DIR = Path.of("d");

    @Test
    void childrenRunTheSwitchboardCommand() {
        assertThat(ChildProcess.MAIN_CLASS).isEqualTo(Main.class.getName());
    }

    @Test
    void oneBrokerForAllShardsOrOneUriPerShard() {
        LocalClusterOptions defaults = new LocalClusterOptions(2, 2, 2, List.of(), DIR);
        assertThat(defaults.amqp()).containsExactly(LocalClusterOptions.DEFAULT_AMQP);
        assertThat(defaults.urisPerShard()).isFalse();

        LocalClusterOptions perShard = new LocalClusterOptions(
                2, 1, 1, List.of(URI.create("amqp://h:5672/a"), URI.create("amqp://h:5672/b")), DIR);
        assertThat(perShard.urisPerShard()).isTrue();

        // with one shard, a URI naming a virtual host is used as given; a bare broker URI gets a new one
        assertThat(new LocalClusterOptions(1, 1, 1, List.of(URI.create("amqp://h/vh")), DIR).urisPerShard())
                .isTrue();
        assertThat(new LocalClusterOptions(1, 1, 1, List.of(URI.create("amqp://h")), DIR).urisPerShard())
                .isFalse();
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        List<URI> three = List.of(URI.create("amqp://a"), URI.create("amqp://b"), URI.create("amqp://c"));
        assertThatThrownBy(() -> new LocalClusterOptions(2, 1, 1, three, DIR))
                .hasMessageContaining("--amqp must be given once")
                .hasMessageContaining("(2 times)");
        assertThatThrownBy(() -> new LocalClusterOptions(0, 1, 1, List.of(), DIR))
                .hasMessage("--shards must be 1 to 64");
        assertThatThrownBy(() -> new LocalClusterOptions(1, 0, 1, List.of(), DIR))
                .hasMessage("--backends must be 1 to 64");
        assertThatThrownBy(() -> new LocalClusterOptions(1, 1, 0, List.of(), DIR))
                .hasMessage("--apis must be 1 to 64");
        assertThatThrownBy(() -> new LocalClusterOptions(1, 1, 1, List.of(URI.create("http://h")), DIR))
                .hasMessageContaining("amqp://");
        assertThatThrownBy(() -> new LocalClusterOptions(1, 1, 1, List.of(), DIR, -0.5))
                .hasMessageContaining("--node-cpu must be between 0.01 and");
        assertThatThrownBy(() -> new LocalClusterOptions(1, 1, 1, List.of(), DIR, 0.001))
                .hasMessageContaining("--node-cpu must be between 0.01 and");
        assertThat(new LocalClusterOptions(1, 1, 1, List.of(), DIR, 0.25).nodeCpu())
                .isEqualTo(0.25);
    }

    @Test
    void cpuGroupsNeedTheCgroupV1CpuController(@TempDir Path notACgroup) {
        assertThatThrownBy(() -> CpuGroups.create(notACgroup, 0.25))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("--node-cpu needs the cgroup v1 cpu controller at " + notACgroup)
                .hasMessageContaining("run without --node-cpu");
    }

    @Test
    void aCpuGroupGetsCoresTimesThePeriodAndTheJvmAsManyProcessorsRoundedUp(@TempDir Path root) throws Exception {
        // a directory laid out like the cpu controller's root: a quota file and a 50 ms period
        Files.writeString(root.resolve("cpu.cfs_quota_us"), "-1");
        try (CpuGroups quarter = CpuGroups.create(root, 0.25)) {
            assertThat(quarter.quotaMicros()).isEqualTo(25_000); // the default period, 100 ms
            assertThat(quarter.jvmOptions())
                    .containsExactly("-XX:ActiveProcessorCount=1", "-XX:-UseDynamicNumberOfCompilerThreads");
            Path group = quarter.newGroup("backend-s0-1");
            assertThat(group.getFileName()).hasToString("backend-s0-1.1");
            assertThat(Files.readString(group.resolve("cpu.cfs_quota_us"))).isEqualTo("25000");
            assertThat(quarter.newGroup("backend-s0-1")).isNotEqualTo(group); // a restart gets a fresh group
            assertThat(quarter.wrap(group, List.of("java", "-version")))
                    .containsExactly(
                            "/bin/sh",
                            "-c",
                            "echo $$ > \"$0\" && exec \"$@\"",
                            group.resolve("cgroup.procs").toString(),
                            "java",
                            "-version");
        }
        try (CpuGroups oneAndAHalf = CpuGroups.create(root, 1.5)) {
            assertThat(oneAndAHalf.quotaMicros()).isEqualTo(150_000);
            assertThat(oneAndAHalf.jvmOptions())
                    .containsExactly("-XX:ActiveProcessorCount=2", "-XX:-UseDynamicNumberOfCompilerThreads");
        }
    }

    @Test
    void cappingMovesTheCompilerThreadsOfTheCappedJvmsIntoAnUncappedGroup(@TempDir Path dir) throws Exception {
        // a fake cpu controller root and a fake /proc: process 4242 in a group, with two JIT compiler threads
        Path root = Files.createDirectories(dir.resolve("cgroup"));
        Files.writeString(root.resolve("cpu.cfs_quota_us"), "-1");
        Path proc = dir.resolve("proc");
        Map<String, String> threads =
                Map.of("4242", "java", "4250", "C1 CompilerThre", "4251", "C2 CompilerThre", "4252", "VM Thread");
        for (Map.Entry<String, String> thread : threads.entrySet()) {
            Path task =
                    Files.createDirectories(proc.resolve("4242").resolve("task").resolve(thread.getKey()));
            Files.writeString(task.resolve("comm"), thread.getValue() + "\n");
        }
        try (CpuGroups groups = CpuGroups.create(root, 0.25, false)) {
            assertThat(groups.jvmOptions()).contains("-XX:-UseDynamicNumberOfCompilerThreads");
            Path group = groups.newGroup("backend-s0-1");
            assertThat(Files.readString(group.resolve("cpu.cfs_quota_us"))).isEqualTo("-1"); // uncapped at first
            Files.writeString(group.resolve("cgroup.procs"), "4242\n");

            assertThat(groups.capAll(proc)).isEqualTo(2);

            assertThat(Files.readString(group.resolve("cpu.cfs_quota_us"))).isEqualTo("25000");
            Path jit = group.getParent().resolve(CpuGroups.JIT_GROUP);
            assertThat(Files.readAllLines(jit.resolve("tasks"))).containsExactlyInAnyOrder("4250", "4251");
            assertThat(jit.resolve("cpu.cfs_quota_us")).doesNotExist(); // a new cgroup: no quota
        }
        assertThat(CpuGroups.isCompilerThread("C2 CompilerThre\n")).isTrue();
        assertThat(CpuGroups.isCompilerThread("C1 CompilerThre")).isTrue();
        assertThat(CpuGroups.isCompilerThread("ForkJoinPool-1-")).isFalse();
    }

    @Test
    void theReadyLineGivesItsPairs() {
        String line = "2026-11-27T03:10:55.527+0000 [INFO] ApiRole - ready role=api url=http://127.0.0.1:4242/"
                + " node=api-1 shards=s0,s1";

        assertThat(ChildProcess.parseReady(line))
                .hasValueSatisfying(pairs -> assertThat(pairs)
                        .containsEntry("role", "api")
                        .containsEntry("url", "http://127.0.0.1:4242/")
                        .containsEntry("node", "api-1")
                        .containsEntry("shards", "s0,s1"));
        assertThat(ChildProcess.parseReady("[INFO] LocalCluster - kafka ready bootstrap-servers=x"))
                .isEmpty();
        assertThat(ChildProcess.parseReady("[INFO] BackendNode - already running"))
                .isEmpty();
    }

    @Test
    void clusterFileNeverShowsAPassword() {
        assertThat(ClusterFile.withoutPassword(URI.create("amqp://guest:hunter2@127.0.0.1:5672/vh")))
                .isEqualTo("amqp://guest:***@127.0.0.1:5672/vh");
        assertThat(ClusterFile.withoutPassword(URI.create("amqp://127.0.0.1:5672/vh")))
                .isEqualTo("amqp://127.0.0.1:5672/vh");
    }
}
