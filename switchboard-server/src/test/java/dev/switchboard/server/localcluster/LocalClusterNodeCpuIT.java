package dev.switchboard.server.localcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.server.CpuControllerAssumption;
import dev.switchboard.testkit.AmqpExtension;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code local-cluster --node-cpu}: every API and backend process runs in a cgroup v1 cpu group of its own with the
 * quota asked for, Kafka in none; a node that is killed and restarted gets a fresh group and its old one goes; and
 * every group is gone once the cluster stops. Skipped where the cgroup v1 cpu controller cannot be written (not
 * root, cgroup v2 only): that is the machine, not the code.
 */
class LocalClusterNodeCpuIT {
    private static final Path ROOT = CpuGroups.DEFAULT_ROOT;

    @RegisterExtension
    static final AmqpExtension AMQP = new AmqpExtension();

    @TempDir
    Path workDir;

    @BeforeAll
    static void requireWritableCgroups() {
        CpuControllerAssumption.assumeWritable();
    }

    @Test
    void cpuCappedNodesRunInTheirOwnGroupsWhichGoWhenTheyDo() throws Exception {
        URI vhost = AMQP.newVirtualHost();
        List<Path> groupsSeen = new ArrayList<>();
        Path killedGroup;
        try (RunningCluster cluster = RunningCluster.start(
                workDir,
                "--shards",
                "1",
                "--backends",
                "1",
                "--apis",
                "1",
                "--node-cpu",
                "0.5",
                "--amqp",
                vhost.toString())) {
            List<RunningCluster.Member> capped = new ArrayList<>(cluster.members("backend"));
            capped.addAll(cluster.members("api"));
            assertThat(capped).hasSize(2);
            for (RunningCluster.Member member : capped) {
                Path group = CpuGroups.groupOf(ROOT, member.pid()).orElseThrow();
                assertThat(read(group.resolve("cpu.cfs_quota_us")))
                        .isEqualTo(Long.toString(Long.parseLong(read(group.resolve("cpu.cfs_period_us"))) / 2));
                assertThat(read(group.resolve("cgroup.procs")).lines()).contains(Long.toString(member.pid()));
                assertThat(jvmArguments(member.pid())).contains("-XX:ActiveProcessorCount=1");
                groupsSeen.add(group);
            }
            assertThat(groupsSeen).doesNotHaveDuplicates();
            long kafka = cluster.members("kafka").getFirst().pid();
            assertThat(CpuGroups.groupOf(ROOT, kafka)).isEmpty();

            // a killed backend is restarted by local-cluster in a fresh group; its old group is removed
            RunningCluster.Member backend = cluster.members("backend").getFirst();
            killedGroup = CpuGroups.groupOf(ROOT, backend.pid()).orElseThrow();
            RunningCluster.kill(backend);
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.current("backend").stream()
                            .anyMatch(member -> member.pid() != backend.pid() && member.alive()));
            long replacement = cluster.current("backend").getFirst().pid();
            Path fresh = await().atMost(Duration.ofMinutes(1))
                    .until(() -> groupOfQuietly(replacement), Optional::isPresent)
                    .orElseThrow();
            groupsSeen.add(fresh);
            assertThat(fresh).isNotEqualTo(killedGroup);
            assertThat(read(fresh.resolve("cgroup.procs")).lines()).contains(Long.toString(replacement));
            await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(killedGroup));
        }
        assertThat(groupsSeen).allSatisfy(group -> assertThat(group).doesNotExist());
        assertThat(groupsSeen.getFirst().getParent()).doesNotExist();
    }

    private static Optional<Path> groupOfQuietly(long pid) {
        try {
            return CpuGroups.groupOf(ROOT, pid);
        } catch (IOException e) {
            return Optional.empty(); // not started yet, or gone again
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
    }

    private static String jvmArguments(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ');
    }
}
