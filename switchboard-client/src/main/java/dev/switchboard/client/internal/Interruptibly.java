package dev.switchboard.client.internal;

import dev.switchboard.client.SwitchboardClientException;
import dev.switchboard.protocol.ErrorCode;

/**
 * Where blocking SDK code meets the public API: an interrupt ends the call with a
 * {@link SwitchboardClientException} and leaves the thread's interrupt flag set.
 */
final class Interruptibly {
    private Interruptibly() {}

    @FunctionalInterface
    interface Call<T> {
        T call() throws InterruptedException;
    }

    @FunctionalInterface
    interface Action {
        void run() throws InterruptedException;
    }

    static <T> T call(Call<T> call) {
        try {
            return call.call();
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    static void run(Action action) {
        try {
            action.run();
        } catch (InterruptedException e) {
            throw interrupted(e);
        }
    }

    static SwitchboardClientException interrupted(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new SwitchboardClientException(ErrorCode.UNAVAILABLE, "interrupted while waiting for Switchboard", e);
    }
}
