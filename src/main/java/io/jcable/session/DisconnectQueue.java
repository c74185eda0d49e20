package io.jcable.session;

import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.rpc.Controller;
import io.jcable.rpc.DisconnectCall;
import io.jcable.rpc.RpcStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disconnect RPCs go through a bounded backlog served by one worker at most {@code rate} calls per second, so
 * a mass disconnect cannot overload the application (docs/rpc.md §8). From the start of a shutdown
 * ({@link #startDrain}) parallel drainers work the backlog without the rate limit, while the closing sessions
 * still add to it, until {@link #finishDrain} or the shutdown deadline.
 */
public final class DisconnectQueue {
    private static final Logger LOG = LoggerFactory.getLogger(DisconnectQueue.class);
    /** How often an idle drainer looks whether the queue is finished. */
    private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Controller controller;
    private final BlockingQueue<DisconnectCall> backlog;
    private final long intervalNanos;
    private final int drainParallelism;
    private final Thread worker;
    private final AtomicInteger lost = new AtomicInteger();
    private final Counter failures;
    /** When the worker last finished a call, or found the backlog empty ({@link System#nanoTime()}). */
    private volatile long lastProgressNanos = System.nanoTime();
    private final List<Thread> drainers = new ArrayList<>();
    private volatile boolean draining;
    private volatile boolean inputClosed;
    private volatile long drainDeadline;

    public DisconnectQueue(Controller controller, int backlogSize, int ratePerSecond, int drainParallelism,
                           Metrics metrics) {
        this.controller = controller;
        this.backlog = new ArrayBlockingQueue<>(backlogSize);
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        this.drainParallelism = drainParallelism;
        // A platform thread, so a thread dump shows it (and whether it is stuck).
        this.worker = Thread.ofPlatform().daemon().name("jcable-disconnect").unstarted(this::work);
        this.failures = metrics.counter("disconnect_failures_total");
        metrics.gauge("disconnect_queue_size", backlog::size);
        metrics.gauge("disconnect_queue_stalled_seconds", this::stalledSeconds);
    }

    public void start() {
        worker.start();
    }

    /**
     * Queues a call; blocks (a virtual thread) while the backlog is full, so nothing is dropped — during a
     * shutdown only until its deadline.
     */
    public void enqueue(DisconnectCall request) {
        try {
            if (!draining) {
                backlog.put(request);
                return;
            }
            if (!backlog.offer(request, drainDeadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                lost.incrementAndGet();
                LOG.debug("Disconnect for sid={} lost: shutdown deadline reached", request.sid());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lost.incrementAndGet();
            LOG.warn("Disconnect for sid={} dropped: interrupted while the backlog was full", request.sid());
        }
    }

    private void work() {
        try {
            while (!draining) {
                DisconnectCall request = backlog.poll(100, TimeUnit.MILLISECONDS);
                if (request == null) {
                    lastProgressNanos = System.nanoTime();
                    continue;
                }
                long next = System.nanoTime() + intervalNanos;
                // Taken just as the shutdown began: it must end by the shutdown's deadline too.
                call(request, draining ? drainDeadline : 0);
                lastProgressNanos = System.nanoTime();
                // Parked rather than slept, so startDrain can wake it: drainers take over at once.
                long rest;
                while (!draining && (rest = next - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(this, rest);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The shutdown begins: the rate limit is lifted and {@code drainParallelism} drainers make the calls already
     * queued and those the closing sessions still queue, none of them running past {@code deadlineNanos}
     * ({@link System#nanoTime()}).
     */
    public void startDrain(long deadlineNanos) {
        drainDeadline = deadlineNanos;
        draining = true;
        LockSupport.unpark(worker);
        for (int i = 0; i < drainParallelism; i++) {
            drainers.add(Thread.ofVirtual().name("jcable-disconnect-drain-" + i).start(this::drain));
        }
    }

    private void drain() {
        long deadline = drainDeadline;
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                // Read before polling: once it is true, every call queued before it is visible to poll().
                boolean last = inputClosed;
                DisconnectCall request = last ? backlog.poll()
                        : backlog.poll(Math.min(left, DRAIN_POLL_NANOS), TimeUnit.NANOSECONDS);
                if (request == null) {
                    if (last) {
                        return;
                    }
                    continue;
                }
                call(request, deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Makes one call (by {@code deadlineNanos}, or within the normal RPC budget when 0). A failure of any kind
     * is logged and counted: the queue's threads must outlive it, or every later closing session would wait on
     * a full backlog.
     */
    private void call(DisconnectCall request, long deadlineNanos) {
        try {
            RpcStatus status = deadlineNanos == 0 ? controller.disconnect(request)
                    : controller.disconnect(request, deadlineNanos);
            if (status == RpcStatus.ERROR) {
                failures.inc();
            }
        } catch (RuntimeException | Error e) {
            failures.inc();
            LOG.error("Disconnect for sid={} failed unexpectedly", request.sid(), e);
        }
    }

    /**
     * Seconds since the worker last made progress while calls wait: 0 when the backlog is empty; a value that
     * keeps growing means the queue is stuck.
     */
    private long stalledSeconds() {
        if (backlog.isEmpty() || draining) {
            return 0;
        }
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastProgressNanos);
    }

    /** Stops the worker without draining (a failed start; a normal stop drains through {@link #finishDrain}). */
    public void stop() {
        worker.interrupt();
    }

    /**
     * No more calls will be queued: waits, at most until the deadline given to {@link #startDrain}, until every
     * queued call is made; logs and returns how many were not.
     */
    public int finishDrain() {
        inputClosed = true;
        List<Thread> threads = new ArrayList<>(drainers);
        threads.add(worker);
        for (Thread thread : threads) {
            long left = drainDeadline - System.nanoTime();
            try {
                if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int notMade = lost.get() + backlog.size();
        backlog.clear();
        if (notMade > 0) {
            LOG.warn("Shutdown timeout reached: {} Disconnect calls were not made", notMade);
        }
        return notMade;
    }
}
