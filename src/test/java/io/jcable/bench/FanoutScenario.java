package io.jcable.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Broadcast fan-out: N subscribers of {@code all}; M broadcasts per publish path, one every interval, each
 * stamped with its publish time. Delivery latency to every client, lost frames, server CPU per delivered frame.
 */
final class FanoutScenario {
    private static final int TARGET_SUBSCRIBERS = 10_000;
    private static final double TARGET_P95_MS = 300;
    private static final double TARGET_P50_MS = 100;
    private static final double TARGET_CPU_MICROS_PER_FRAME = 2;
    /** Below this, the server's CPU time (counted in 10 ms ticks) is too coarse to judge per frame. */
    private static final double MIN_CPU_SECONDS = 0.1;
    private static final int IDLE_WINDOWS = 5;

    private FanoutScenario() {
    }

    static ScenarioResult run(BenchOptions options, Target target) {
        int messages = options.messages();
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), options.clients(), options.timeout(),
                options.uniqueIdentifiers())) {
            LoadGenerator.ConnectOutcome outcome = generator.connect(options.clients(), options.concurrency());
            int subscribers = outcome.connected();
            List<String> notes = new ArrayList<>();
            outcome.failureReasons().forEach((reason, count) -> notes.add("connect failed " + count + "×: " + reason));

            double idleCpuPerSecond = idleCpuPerSecond(target);
            notes.add("server CPU while idle with " + subscribers + " subscribers: "
                    + Table.cell(idleCpuPerSecond * 1e3) + " ms/s (pings; the least of " + IDLE_WINDOWS + " 1 s windows"
                    + ", as compilation may still run after the connects); the net column subtracts it");

            Table table = Table.of("fan-out of " + messages + " broadcasts on 'all', one every "
                            + options.interval().toMillis() + " ms (latency from publish call to receipt)",
                    "path", "subscribers", "frames expected", "received", "lost", "p50 ms", "p95 ms", "p99 ms",
                    "max ms", "a broadcast's last frame, median / slowest ms", "server CPU ms", "server CPU µs/frame",
                    "µs/frame net of idle", "of which user µs/frame", "server GC ms", "generator CPU %",
                    "generator GC ms");
            List<Check> checks = new ArrayList<>();
            long lost = 0;
            String scale = Check.scale("subscribers", subscribers, TARGET_SUBSCRIBERS);
            for (String path : options.paths()) {
                Delivery run = measure(options, target, generator, path, subscribers, messages);
                long expected = run.expected();
                long received = run.received();
                double cpu = run.cpu();
                long pathLost = run.lost();
                lost += pathLost;
                double perFrame = run.cpuMicrosPerFrame();
                Latencies.Summary latency = run.latency();
                table = table.withRow(path, subscribers, expected, received, pathLost, latency.p50(), latency.p95(),
                        latency.p99(), latency.max(), run.lastFramesCell(), cpu * 1e3, perFrame,
                        run.netMicrosPerFrame(idleCpuPerSecond), run.userMicrosPerFrame(), run.gc() * 1e3,
                        run.generatorCpuPercent(), run.generatorGc() * 1e3);
                checks.add(Check.judged(path + ": fan-out to 10,000, delivery p95 < 300 ms",
                        Table.cell(latency.p95()) + " ms", latency.p95() < TARGET_P95_MS, scale));
                checks.add(Check.judged(path + ": fan-out to 10,000, delivery median < 100 ms",
                        Table.cell(latency.p50()) + " ms", latency.p50() < TARGET_P50_MS, scale));
                checks.add(Check.judged(path + ": zero lost", pathLost + " lost", pathLost == 0 && received > 0,
                        scale));
                checks.add(!run.cpuResolved()
                        ? Check.notMeasured(path + ": ≤ 2 µs server CPU per delivered frame",
                        Double.isNaN(cpu) ? "no server process measured" : "too few frames to resolve the server's CPU")
                        : Check.judged(path + ": ≤ 2 µs server CPU per delivered frame", Table.cell(perFrame) + " µs",
                        perFrame <= TARGET_CPU_MICROS_PER_FRAME, scale));
                if (run.cpuResolved()) {
                    checks.add(Check.info(path + ": of which user-space (jcable, container, JVM, GC)",
                            Table.cell(run.userMicrosPerFrame()) + " µs/frame; the rest is the kernel's TCP send, "
                                    + "which on loopback also runs the receiver's side"));
                }
                if (received > expected) {
                    notes.add(path + ": " + (received - expected) + " frames more than expected (duplicates?)");
                }
            }
            return new ScenarioResult("fanout", List.of(table), checks, outcome.failed(), lost, notes);
        }
    }

    /**
     * One measured fan-out: frames expected and received, their latency, the latency of each broadcast's last
     * frame (over broadcasts), the wall time, and what it cost the server (CPU, of which user space, GC; seconds)
     * and this process (CPU seconds; its own GC pauses, seconds, which count in the latencies).
     */
    record Delivery(long expected, long received, Latencies.Summary latency, Latencies.Summary lastFrames,
                    double seconds, double cpu, double userCpu, double gc, double generatorCpu,
                    double generatorGc) {
        long lost() {
            return Math.max(0, expected - received);
        }

        /** The median and the slowest of the broadcasts' last frames, for a table cell. */
        String lastFramesCell() {
            return Table.cell(lastFrames.p50()) + " / " + Table.cell(lastFrames.max());
        }

        double cpuMicrosPerFrame() {
            return cpu * 1e6 / Math.max(1, received);
        }

        /** Per frame, without what the server spends idle (its pings) over the same time. */
        double netMicrosPerFrame(double idleCpuPerSecond) {
            return (cpu - idleCpuPerSecond * seconds) * 1e6 / Math.max(1, received);
        }

        double userMicrosPerFrame() {
            return userCpu * 1e6 / Math.max(1, received);
        }

        double generatorCpuPercent() {
            return generatorCpu * 100 / seconds;
        }

        /** This process's CPU per broadcast frame received: what reading costs the generator (pings included). */
        double generatorMicrosPerFrame() {
            return generatorCpu * 1e6 / Math.max(1, received);
        }

        /** Whether the server's CPU was measured and large enough to judge per frame. */
        boolean cpuResolved() {
            return !Double.isNaN(cpu) && cpu >= MIN_CPU_SECONDS;
        }
    }

    /**
     * Publishes {@code messages} broadcasts to {@code all} through {@code path}, one every interval, to the
     * {@code subscribers} clients of {@code generator}, and waits for every frame (bounded by {@link #drainLimit}).
     * This JVM collects first ({@link GeneratorGc#collect}), so that its own pauses stay out of the run.
     */
    static Delivery measure(BenchOptions options, Target target, LoadGenerator generator, String path,
                            int subscribers, int messages) {
        long expected = (long) subscribers * messages;
        RunProbe probe = new RunProbe("broadcast", expected, messages);
        ProcessProbe self = ProcessProbe.self();
        try (Publisher publisher = target.publisher(path, generator)) {
            GeneratorGc.collect();
            generator.receiver(probe);
            double cpuBefore = target.cpuSeconds();
            double userCpuBefore = target.userCpuSeconds();
            double gcBefore = target.gcSeconds();
            double generatorCpuBefore = self.cpuSeconds();
            double generatorGcBefore = GeneratorGc.seconds();
            long start = System.nanoTime();
            for (int seq = 0; seq < messages; seq++) {
                Timing.sleepUntil(start + seq * options.interval().toNanos());
                publisher.publish("all", probe.payload(seq, System.nanoTime(), options.padBytes()));
            }
            long received = probe.await(expected, drainLimit(expected));
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Delivery(expected, received, probe.latency(), probe.lastFrames(), seconds,
                    target.cpuSeconds() - cpuBefore, target.userCpuSeconds() - userCpuBefore,
                    target.gcSeconds() - gcBefore, self.cpuSeconds() - generatorCpuBefore,
                    GeneratorGc.seconds() - generatorGcBefore);
        } finally {
            generator.receiver(Receiver.IGNORE);
        }
    }

    /** The server's idle CPU seconds per second: the least over a few one-second windows. */
    static double idleCpuPerSecond(Target target) {
        double least = Double.NaN;
        for (int window = 0; window < IDLE_WINDOWS; window++) {
            double before = target.cpuSeconds();
            Timing.sleep(Duration.ofSeconds(1));
            double used = target.cpuSeconds() - before;
            least = window == 0 ? used : Math.min(least, used);
        }
        return least;
    }

    /** Time allowed after the last publish: 10 s plus 10 µs per expected frame. */
    static Duration drainLimit(long expectedFrames) {
        return Duration.ofSeconds(10).plusNanos(expectedFrames * 10_000);
    }
}
