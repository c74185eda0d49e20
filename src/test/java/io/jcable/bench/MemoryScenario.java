package io.jcable.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Memory per connection: idle subscribed clients are added level by level; at each level, after a settle time,
 * the server's live heap (a class histogram after a full GC) and its RSS are read. The slope of a least-squares
 * line through the points is the cost of one subscribed connection.
 */
final class MemoryScenario {
    private static final double TARGET_SLOPE_KIB = 12;
    private static final int RSS_LEVEL = 10_000;
    private static final long RSS_LIMIT_BYTES = 250_000_000;
    private static final int TARGET_TOP_LEVEL = 19_000;
    private static final Duration IDLE_WINDOW = Duration.ofSeconds(2);

    private MemoryScenario() {
    }

    static ScenarioResult run(BenchOptions options, Target target) {
        ProcessProbe server = target.server();
        if (server == null) {
            throw new IllegalArgumentException("memory needs a server process to measure: give --server-pid");
        }
        List<Integer> levels = options.levels();
        int top = levels.getLast();
        List<String> notes = new ArrayList<>();
        Table table = Table.of("server memory with idle subscribed clients (settle " + options.settle().toSeconds()
                        + " s, idle CPU over " + IDLE_WINDOW.toSeconds() + " s, then full GC)",
                "clients", "subscribed", "server clients_num", "RSS MiB",
                "live heap MiB", "RSS KiB/conn over baseline", "live heap KiB/conn over baseline",
                "idle server CPU ms/s");
        List<long[]> rssPoints = new ArrayList<>();
        List<long[]> heapPoints = new ArrayList<>();
        long failures = 0;
        long rssAtLevel = -1;
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), Math.max(1, top), options.timeout(),
                options.uniqueIdentifiers())) {
            int attempted = 0;
            for (int level : levels) {
                if (level > attempted) {
                    LoadGenerator.ConnectOutcome outcome = generator.connect(level - attempted, options.concurrency());
                    failures += outcome.failed();
                    outcome.failureReasons().forEach((reason, count) ->
                            notes.add("level " + level + ": connect failed " + count + "×: " + reason));
                    attempted = level;
                }
                Timing.sleep(options.settle());
                double idleCpuBefore = server.cpuSeconds();
                Timing.sleep(IDLE_WINDOW);
                double idleCpu = (server.cpuSeconds() - idleCpuBefore) * 1e3 / IDLE_WINDOW.toSeconds();
                OptionalLong heap = server.liveHeapKiB();
                long rss = server.rssKiB();
                int subscribed = generator.clients().size();
                rssPoints.add(new long[] {subscribed, rss});
                heap.ifPresent(kib -> heapPoints.add(new long[] {subscribed, kib}));
                if (level == RSS_LEVEL) {
                    rssAtLevel = rss;
                }
                table = table.withRow(level, subscribed, target.metric("clients_num").orElse(-1), rss / 1024.0,
                        heap.isPresent() ? heap.getAsLong() / 1024.0 : Double.NaN,
                        overBaseline(rssPoints, subscribed, rss), heap.isPresent()
                                ? overBaseline(heapPoints, subscribed, heap.getAsLong()) : Double.NaN, idleCpu);
            }
        }
        double rssSlope = slope(rssPoints);
        double heapSlope = slope(heapPoints);
        String scale = Check.scale("clients at the top level", top, TARGET_TOP_LEVEL);
        List<Check> checks = new ArrayList<>();
        checks.add(Double.isNaN(rssSlope)
                ? Check.notMeasured("memory slope ≤ 12 KiB per subscribed connection (RSS)", "needs two levels")
                : Check.judged("memory slope ≤ 12 KiB per subscribed connection (RSS)",
                Table.cell(rssSlope) + " KiB/conn", rssSlope <= TARGET_SLOPE_KIB, scale));
        checks.add(Double.isNaN(heapSlope)
                ? Check.notMeasured("heap slope (live objects per connection)", "needs two levels and a JVM server")
                : Check.info("heap slope (live objects per connection)", Table.cell(heapSlope) + " KiB/conn"));
        checks.add(rssAtLevel < 0
                ? Check.notMeasured("under 250 MB RSS at 10k", "no 10,000 level in --levels")
                : Check.judged("under 250 MB RSS at 10k", Table.cell(rssAtLevel * 1024 / 1e6) + " MB",
                rssAtLevel * 1024 < RSS_LIMIT_BYTES, ""));
        notes.add("slopes are least-squares fits over all levels; per-connection columns compare with the first level");
        return new ScenarioResult("memory", List.of(table), checks, failures, 0, notes);
    }

    /** KiB per connection above the first point, or NaN for the first point itself. */
    private static double overBaseline(List<long[]> points, int clients, long kib) {
        long[] base = points.getFirst();
        return clients == base[0] ? Double.NaN : (kib - base[1]) / (double) (clients - base[0]);
    }

    /** Least-squares slope of KiB over clients, or NaN with fewer than two distinct client counts. */
    static double slope(List<long[]> points) {
        double n = points.size();
        double meanX = points.stream().mapToDouble(p -> p[0]).sum() / n;
        double meanY = points.stream().mapToDouble(p -> p[1]).sum() / n;
        double covariance = 0;
        double variance = 0;
        for (long[] point : points) {
            covariance += (point[0] - meanX) * (point[1] - meanY);
            variance += (point[0] - meanX) * (point[0] - meanX);
        }
        return variance == 0 ? Double.NaN : covariance / variance;
    }
}
