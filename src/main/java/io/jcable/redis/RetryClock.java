package io.jcable.redis;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Waits between reconnect attempts (and other periodic work) that {@link #stop()} cuts short at once. */
public final class RetryClock {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stopped = lock.newCondition();
    private volatile boolean running = true;

    public boolean running() {
        return running;
    }

    /** Waits {@code wait} or until stopped; returns whether still running. */
    public boolean pause(Duration wait) {
        lock.lock();
        try {
            long left = wait.toNanos();
            while (running && left > 0) {
                left = stopped.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
        return running;
    }

    public void stop() {
        lock.lock();
        try {
            running = false;
            stopped.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Joins the threads, all within {@code wait}; returns false when one is still alive. */
    public static boolean join(Duration wait, Thread... threads) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            for (Thread thread : threads) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
