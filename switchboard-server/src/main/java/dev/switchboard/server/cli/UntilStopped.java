package dev.switchboard.server.cli;

import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Keeps a server role running until Ctrl-C or SIGTERM (then closes it, which drains), or until the process
 * that started it exits ({@code --watch-parent}, which {@code local-cluster} passes so that no child outlives it).
 */
final class UntilStopped {
    private UntilStopped() {}

    static int run(AutoCloseable role, Optional<Long> parentPid) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                role.close();
                            } catch (Exception e) {
                                System.err.println("error while stopping: " + e);
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "switchboard-shutdown"));
        parentPid.ifPresent(UntilStopped::exitWithParent);
        stopped.await();
        return 0;
    }

    private static void exitWithParent(long pid) {
        Optional<ProcessHandle> parent = ProcessHandle.of(pid);
        if (parent.isEmpty()) {
            System.exit(0);
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println("the parent process " + pid + " is gone: stopping");
            System.exit(0);
        });
    }
}
