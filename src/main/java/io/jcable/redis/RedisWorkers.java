package io.jcable.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import redis.clients.jedis.Jedis;

/**
 * Platform threads that run Redis commands for callers that must not block on Redis (mailboxes on virtual threads,
 * the broadcast path): each thread owns one connection, all take commands from one queue in order (with one
 * thread, commands run in submission order). A command fails its future at once when the queue is full or Redis
 * is lost ({@link RedisOutage}); a failed connection is closed and opened again by the next command, and so is one
 * opened before Redis was last lost (a Redis that restarted broke it, and the pools share one outage).
 */
public final class RedisWorkers {
    /** Commands waiting for a thread; past this, submitting fails at once. */
    private static final int QUEUE_LIMIT = 65_536;

    /** {@code probe}: submitted while Redis was lost, as the one try of its retry window. */
    private record Task<T>(Function<Jedis, T> command, CompletableFuture<T> result, boolean probe) {
        /** Runs the command unless the caller gave up (and completed it); Redis answered when it returns. */
        void run(Jedis jedis, RedisOutage outage) {
            if (!result.isDone()) {
                T value = command.apply(jedis);
                outage.succeeded();
                result.complete(value);
            }
        }
    }

    private final RedisConnector connector;
    private final RedisOutage outage;
    private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>(QUEUE_LIMIT);
    private final List<Thread> threads = new ArrayList<>();
    private final RetryClock clock = new RetryClock();

    /** Starts {@code count} threads named {@code jcable-<name>-<n>} (stopped by {@link #stop}). */
    public RedisWorkers(String name, int count, RedisConnector connector, RedisOutage outage) {
        this.connector = connector;
        this.outage = outage;
        for (int i = 0; i < count; i++) {
            threads.add(Thread.ofPlatform().daemon().name("jcable-" + name + "-" + i).start(this::work));
        }
    }

    /** Runs {@code command} on one of the threads; the future fails with the command's or the connection's error. */
    public <T> CompletableFuture<T> submit(Function<Jedis, T> command) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (!clock.running()) {
            result.completeExceptionally(new IllegalStateException("stopped"));
        } else if (outage.failFast()) {
            result.completeExceptionally(new IllegalStateException("Redis is lost"));
        } else if (!queue.offer(new Task<>(command, result, outage.isLost()))) {
            result.completeExceptionally(new IllegalStateException("too many Redis commands waiting"));
        }
        return result;
    }

    private void work() {
        Jedis jedis = null;
        long openedAfterLosses = 0;
        try {
            while (clock.running()) {
                Task<?> task = queue.take();
                try {
                    if (jedis != null && openedAfterLosses != outage.losses()) {
                        // Opened before Redis was last lost (maybe restarted since): dead or not, it is not trusted,
                        // so its failure does not declare Redis lost once more when Redis is back.
                        close(jedis);
                        jedis = null;
                    }
                    if (jedis == null) {
                        if (outage.isLost() && !task.probe()) {
                            // queued before the loss was noticed: no connect attempt (it may take the timeout)
                            task.result().completeExceptionally(new IllegalStateException("Redis is lost"));
                            continue;
                        }
                        openedAfterLosses = outage.losses();
                        jedis = connector.connect();
                    }
                    task.run(jedis, outage);
                } catch (RuntimeException e) {
                    // The outage first: whoever sees the failure also sees Redis as lost.
                    if (jedis == null || jedis.isBroken()) {
                        outage.failed(e);
                        close(jedis);
                        jedis = null;
                    }
                    task.result().completeExceptionally(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close(jedis);
            failQueued();
        }
    }

    private static void close(Jedis jedis) {
        if (jedis != null) {
            try {
                jedis.close();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
    }

    private void failQueued() {
        List<Task<?>> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(task -> task.result().completeExceptionally(new IllegalStateException("stopped")));
    }

    /** Stops the threads (their connections close) and fails what still waits; waits at most {@code wait}. */
    public void stop(Duration wait) {
        clock.stop();
        threads.forEach(Thread::interrupt);
        RetryClock.join(wait, threads.toArray(Thread[]::new));
        failQueued();
    }
}
