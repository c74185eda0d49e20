package io.jcable.session;

import io.jcable.metrics.Metrics;
import io.jcable.rpc.Controller;
import io.jcable.rpc.DisconnectCall;
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
 * a mass disconnect cannot overload the application (rpc.md §8). From the start of a shutdown
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
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
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
        this.worker = Thread.ofVirtual().name("jcable-disconnect").unstarted(this::work);
        metrics.gauge("disconnect_queue_size", backlog::size);
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
                    continue;
                }
                long next = System.nanoTime() + intervalNanos;
                inFlight.incrementAndGet();
                try {
                    // Taken just as the shutdown began: it must end by the shutdown's deadline too.
                    if (draining) {
                        controller.disconnect(request, drainDeadline);
                    } else {
                        controller.disconnect(request);
                    }
                } finally {
                    inFlight.decrementAndGet();
                }
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
                inFlight.incrementAndGet();
                try {
                    controller.disconnect(request, deadline);
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /** Calls queued or running right now. */
    public int pending() {
        return backlog.size() + inFlight.get();
    }
}
