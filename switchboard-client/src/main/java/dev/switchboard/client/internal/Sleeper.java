package dev.switchboard.client.internal;

import java.time.Duration;

/** Waits between attempts; replaced in tests so that no test sleeps. */
@FunctionalInterface
interface Sleeper {
    Sleeper REAL = duration -> Thread.sleep(duration);

    void sleep(Duration duration) throws InterruptedException;
}
