package dev.switchboard.testkit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and deletes RabbitMQ virtual hosts with the local {@code rabbitmqctl}. It works only where the broker
 * runs on this machine and the user may run the tool (root or the rabbitmq user); elsewhere {@link #find()} is
 * empty and tests get their extra virtual hosts from an embedded broker instead.
 */
public final class RabbitMqCtl {
    private static final Logger LOGGER = LoggerFactory.getLogger(RabbitMqCtl.class);
    private static final List<Path> CANDIDATES = List.of(
            Path.of("/usr/sbin/rabbitmqctl"), Path.of("/usr/local/sbin/rabbitmqctl"), Path.of("/usr/bin/rabbitmqctl"));
    private static final long TIMEOUT_SECONDS = 30;

    private final Path tool;

    private RabbitMqCtl(Path tool) {
        this.tool = tool;
    }

    /** The tool, when it exists and answers (it refuses to run for users other than root and rabbitmq). */
    public static Optional<RabbitMqCtl> find() {
        return CANDIDATES.stream()
                .filter(Files::isExecutable)
                .findFirst()
                .map(RabbitMqCtl::new)
                .filter(ctl -> ctl.run("list_vhosts"));
    }

    /** Adds virtual host {@code name} and gives {@code user} every permission on it. */
    public boolean addVirtualHost(String name, String user) {
        return run("add_vhost", name) && run("set_permissions", "-p", name, user, ".*", ".*", ".*");
    }

    public boolean deleteVirtualHost(String name) {
        return run("delete_vhost", name);
    }

    private boolean run(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(tool.toString());
        command.add("-q");
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                LOGGER.warn("rabbitmqctl timed out command={}", arguments[0]);
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            LOGGER.debug("rabbitmqctl did not run cause={}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
