package io.jcable.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/** Sleeping for open-loop schedules: sends happen at planned instants, not when the previous reply came. */
final class Timing {
    private Timing() {
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Parks until {@code System.nanoTime()} reaches {@code dueNanos}; returns at once when it already has. */
    static void sleepUntil(long dueNanos) {
        long left;
        while ((left = dueNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }
}
