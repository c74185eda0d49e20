package io.jcable.session;

import io.jcable.metrics.Metrics;
import io.jcable.rpc.Controller;
import io.jcable.rpc.DisconnectRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disconnect RPCs go through a bounded backlog served by one worker at most {@code rate} calls per second, so
 * a mass disconnect cannot overload the application (rpc.md §8). At shutdown the rest runs without the rate
 * limit until the deadline.
 */
public final class DisconnectQueue {
    private static final Logger LOG = LoggerFactory.getLogger(DisconnectQueue.class);

    private final Controller controller;
    private final BlockingQueue<DisconnectRequest> backlog;
    private final long intervalNanos;
    private final int drainParallelism;
    private final Thread worker;
    private volatile boolean unlimited;
    private volatile int inFlight;

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

    /** Queues a call; blocks (a virtual thread) while the backlog is full, so nothing is dropped. */
    public void enqueue(DisconnectRequest request) {
        try {
            backlog.put(request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Disconnect for sid={} dropped: interrupted while the backlog was full", request.sid());
        }
    }

    private void work() {
        try {
            while (!unlimited) {
                DisconnectRequest request = backlog.poll(100, TimeUnit.MILLISECONDS);
                if (request == null) {
                    continue;
                }
                long started = System.nanoTime();
                inFlight = 1;
                try {
                    controller.disconnect(request);
                } finally {
                    inFlight = 0;
                }
                long rest = intervalNanos - (System.nanoTime() - started);
                if (rest > 0 && !unlimited) {
                    TimeUnit.NANOSECONDS.sleep(rest);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs everything still queued, in parallel and without the rate limit, until done or {@code timeout};
     * logs how many calls were lost. Returns the number lost.
     */
    public int drain(Duration timeout) {
        unlimited = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            worker.join(Duration.ofMillis(Math.max(1, timeout.toMillis())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Thread> drainers = new ArrayList<>(drainParallelism);
        for (int i = 0; i < drainParallelism; i++) {
            drainers.add(Thread.ofVirtual().name("jcable-disconnect-drain-" + i).start(() -> {
                DisconnectRequest request;
                while (System.nanoTime() < deadline && (request = backlog.poll()) != null) {
                    controller.disconnect(request);
                }
            }));
        }
        for (Thread drainer : drainers) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !drainer.join(Duration.ofNanos(left))) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int lost = backlog.size();
        backlog.clear();
        if (lost > 0) {
            LOG.warn("Shutdown timeout reached: {} Disconnect calls were not made", lost);
        }
        return lost;
    }

    /** Calls queued or running right now. */
    public int pending() {
        return backlog.size() + inFlight;
    }
}
