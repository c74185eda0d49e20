package io.jcable.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * RPC-bound load: {@code echo} performs sent open-loop at a fixed offered rate (each send at its planned
 * instant, round-robin over the clients, whatever the replies do), one step per rate. Latency runs from the
 * planned send instant to the reply, so a lagging sender cannot hide queueing.
 */
final class RpcScenario {
    private static final int TARGET_RATE = 10_000;
    private static final double TARGET_P99_MS = 50;
    /** Most performs one rate step may plan. */
    private static final long MAX_SENDS = 20_000_000;

    private RpcScenario() {
    }

    static ScenarioResult run(BenchOptions options, Target target) {
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), options.clients(), options.timeout(),
                options.uniqueIdentifiers())) {
            LoadGenerator.ConnectOutcome outcome = generator.connect(options.clients(), options.concurrency());
            List<LoadClient> clients = generator.clients();
            List<String> notes = new ArrayList<>();
            outcome.failureReasons().forEach((reason, count) -> notes.add("connect failed " + count + "×: " + reason));
            if (clients.isEmpty()) {
                return new ScenarioResult("rpc", List.of(), List.of(), outcome.failed(), 0, notes);
            }
            long seconds = options.duration().toSeconds();
            Table table = Table.of("echo performs over " + clients.size() + " clients, " + seconds
                            + " s per rate, open loop", "offered/s", "sent", "replies", "lost", "achieved/s",
                    "p50 ms", "p95 ms", "p99 ms", "max ms", "max send lag ms", "server CPU µs/perform",
                    "of which user µs/perform", "server GC ms", "server CPU %", "generator CPU %");
            ProcessProbe self = ProcessProbe.self();
            long lost = 0;
            Check best = null;
            for (int rate : options.rates()) {
                long planned = Math.min((long) rate * seconds, MAX_SENDS);
                RunProbe probe = new RunProbe("echo", planned);
                long maxLag = 0;
                long replies;
                double cpu;
                double userCpu;
                double gc;
                double generatorCpu;
                double wall;
                generator.receiver(probe);
                try {
                    double cpuBefore = target.cpuSeconds();
                    double userCpuBefore = target.userCpuSeconds();
                    double gcBefore = target.gcSeconds();
                    double generatorCpuBefore = self.cpuSeconds();
                    long start = System.nanoTime() + 10_000_000;
                    for (long seq = 0; seq < planned; seq++) {
                        long due = start + seq * 1_000_000_000L / rate;
                        Timing.sleepUntil(due);
                        maxLag = Math.max(maxLag, System.nanoTime() - due);
                        clients.get((int) (seq % clients.size())).perform(probe.payload(seq, due, 0));
                    }
                    replies = probe.await(planned, Duration.ofSeconds(10));
                    cpu = target.cpuSeconds() - cpuBefore;
                    userCpu = target.userCpuSeconds() - userCpuBefore;
                    gc = target.gcSeconds() - gcBefore;
                    generatorCpu = self.cpuSeconds() - generatorCpuBefore;
                    wall = (System.nanoTime() - start) / 1e9;
                } finally {
                    generator.receiver(Receiver.IGNORE);
                }
                long stepLost = Math.max(0, planned - replies);
                lost += stepLost;
                Latencies.Summary latency = probe.latency();
                table = table.withRow(rate, planned, replies, stepLost, replies / (double) seconds, latency.p50(),
                        latency.p95(), latency.p99(), latency.max(), maxLag / 1e6, cpu * 1e6 / Math.max(1, replies),
                        userCpu * 1e6 / Math.max(1, replies), gc * 1e3, cpu * 100 / wall, generatorCpu * 100 / wall);
                if (rate >= TARGET_RATE) {
                    boolean met = stepLost == 0 && latency.p99() < TARGET_P99_MS;
                    if (best == null || met) {
                        best = Check.judged("RPC-bound: ≥ 10,000 performs/s with p99 < 50 ms at 1 ms app latency",
                                Table.cell(replies / (double) seconds) + "/s offered " + Table.cell(rate) + "/s, p99 "
                                        + Table.cell(latency.p99()) + " ms, " + stepLost + " lost",
                                met, Check.appLatency(options.target()));
                    }
                }
            }
            List<Check> checks = List.of(best != null ? best
                    : Check.notMeasured("RPC-bound: ≥ 10,000 performs/s with p99 < 50 ms at 1 ms app latency",
                    "no rate ≥ 10,000 in --rates"));
            if (options.target().selfHosted()) {
                notes.add("the fake gRPC app runs in the generator process, sharing its CPU");
            }
            return new ScenarioResult("rpc", List.of(table), checks, outcome.failed(), lost, notes);
        }
    }
}
