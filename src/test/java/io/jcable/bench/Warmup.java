package io.jcable.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Warms the server (and this JVM) before anything is measured. A fresh JVM on one core spends tens of CPU
 * seconds in its JIT compilers, which would otherwise be billed to the first scenario. Clients connect and
 * subscribe, then for a fixed time each keeps one {@code echo} in flight (closed loop: the server sets the pace)
 * while broadcasts go to {@code all}; the clients leave, the server runs their Disconnect calls, and the tool
 * waits (at most twice the warm-up time) until the server's CPU goes quiet (compilation done). The broadcasts are
 * the measured ones' size ({@code --pad-bytes}): a frame length the JIT never saw (a 16-bit length field from 126
 * bytes on) deoptimizes the server's write path in the first measured broadcast and recompiles it on the fan-out's
 * one core meanwhile (on jcable, Jetty's frame flusher: the first broadcast took 490 ms instead of 200).
 */
final class Warmup {
    private static final Duration BROADCAST_INTERVAL = Duration.ofMillis(100);
    /** Latency samples each warm-up probe keeps, as a measured run's probe does (8 MB). */
    private static final int SAMPLES = 1_000_000;
    private static final Duration QUIET_WINDOW = Duration.ofMillis(500);
    /** CPU share below which the server counts as quiet. */
    private static final double QUIET_SHARE = 0.05;
    /** The longest wait for quiet: twice the warm-up time, within these bounds. */
    private static final Duration QUIET_LIMIT_MIN = Duration.ofSeconds(2);
    private static final Duration QUIET_LIMIT_MAX = Duration.ofSeconds(60);

    private Warmup() {
    }

    /** Runs the warm-up; returns a line for the results. */
    static String run(BenchOptions options, Target target) {
        int clients = options.warmup();
        if (clients == 0) {
            return "no warm-up: the server was measured cold";
        }
        RunProbe echo;
        RunProbe broadcast;
        double cpuBefore = target.cpuSeconds();
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), clients, options.timeout(),
                options.uniqueIdentifiers())) {
            generator.connect(clients, options.concurrency());
            List<LoadClient> connected = generator.clients();
            long deadline = System.nanoTime() + options.warmupTime().toNanos();
            AtomicLong sent = new AtomicLong(connected.size());
            // Shaped like the measured runs' probes (samples kept, each broadcast's last frame tracked): a branch
            // the warm-up never took is a deoptimization in the first measured broadcast (~190 ms of this JVM
            // interpreting on its one core, billed to the server measured first).
            int broadcasts = (int) (options.warmupTime().toNanos() / BROADCAST_INTERVAL.toNanos()) + 1;
            echo = new RunProbe("echo", SAMPLES);
            broadcast = new RunProbe("broadcast", SAMPLES, broadcasts);
            generator.receiver((client, frame, receivedNanos) -> {
                if (echo.record(frame, receivedNanos) && receivedNanos < deadline) {
                    sent.incrementAndGet();
                    client.perform(echo.payload(0, System.nanoTime(), 0));
                } else {
                    broadcast.record(frame, receivedNanos);
                }
            });
            connected.forEach(client -> client.perform(echo.payload(0, System.nanoTime(), 0)));
            if (!connected.isEmpty()) {
                try (Publisher publisher = target.publisher(options.paths().getFirst(), generator)) {
                    for (long seq = 0; System.nanoTime() < deadline; seq++) {
                        publisher.publish("all", broadcast.payload(seq, System.nanoTime(), options.padBytes()));
                        Timing.sleep(BROADCAST_INTERVAL);
                    }
                }
            }
            echo.await(sent.get(), Duration.ofSeconds(10)); // the last round in flight
            generator.receiver(Receiver.IGNORE);
        }
        target.awaitQuiet(Duration.ofSeconds(10).plusMillis(clients * 15L));
        double cpu = target.cpuSeconds() - cpuBefore;
        Duration limit = options.warmupTime().multipliedBy(2);
        limit = limit.compareTo(QUIET_LIMIT_MIN) < 0 ? QUIET_LIMIT_MIN
                : limit.compareTo(QUIET_LIMIT_MAX) > 0 ? QUIET_LIMIT_MAX : limit;
        Duration quiet = awaitQuietCpu(target, limit);
        return "warm-up before measuring: " + clients + " clients for " + options.warmupTime().toSeconds() + " s, "
                + echo.received() + " echoes (closed loop), " + broadcast.received() + " broadcast frames; "
                + "server CPU " + Table.cell(cpu) + " s; server CPU quiet (< 5% of a core) "
                + (quiet.compareTo(limit) < 0 ? Table.cell(quiet.toMillis() / 1e3) + " s later"
                : "not reached within " + limit.toSeconds() + " s");
    }

    /** Waits until the server uses less than {@link #QUIET_SHARE} of a core over one window; returns the wait. */
    private static Duration awaitQuietCpu(Target target, Duration limit) {
        long start = System.nanoTime();
        if (target.server() == null) {
            return Duration.ZERO;
        }
        while (System.nanoTime() - start < limit.toNanos()) {
            double before = target.cpuSeconds();
            Timing.sleep(QUIET_WINDOW);
            if (target.cpuSeconds() - before < QUIET_SHARE * QUIET_WINDOW.toMillis() / 1e3) {
                break;
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
