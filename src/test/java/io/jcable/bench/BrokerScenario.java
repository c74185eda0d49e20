package io.jcable.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the broker costs a fan-out (issue 10, performance (a)): the fan-out of {@code fanout} to N
 * {@code actioncable-v1-ext-json} subscribers (the protocol for which the broker adds positions) on two jcable
 * processes in one run, one with {@code ANYCABLE_BROKER=memory} (the tool's target, started so) and one with
 * {@code ANYCABLE_BROKER=none} (started by this scenario the same way, after the first one's clients have left).
 * Server CPU per delivered frame of each, and their ratio; target ≤ 1.10. Each side first gets an unmeasured
 * round of broadcasts with its subscribers connected, so that both are compiled for the path they measure.
 */
final class BrokerScenario {
    private static final int TARGET_SUBSCRIBERS = 10_000;
    private static final double TARGET_RATIO = 1.10;
    static final String BROKER = "ANYCABLE_BROKER";
    private static final Duration QUIET_LIMIT = Duration.ofSeconds(30);

    /** One side's outcome. */
    private record Side(String broker, int subscribers, int failed, double idleCpuPerSecond,
                        FanoutScenario.Delivery delivery) {
    }

    private BrokerScenario() {
    }

    static ScenarioResult run(BenchOptions options, Target memoryTarget) {
        List<String> notes = new ArrayList<>();
        Side memory = side("memory", options, memoryTarget, notes);
        Side none;
        try (Target noBroker = Target.open(options.target().withServerSetting(BROKER, "none"))) {
            notes.add("broker none: " + Warmup.run(options, noBroker));
            noBroker.awaitQuiet(QUIET_LIMIT);
            none = side("none", options, noBroker, notes);
        }
        String path = options.paths().getFirst();
        Table table = Table.of("fan-out of " + options.messages() + " broadcasts on 'all' via " + path + ", one every "
                        + options.interval().toMillis() + " ms, to actioncable-v1-ext-json subscribers",
                "ANYCABLE_BROKER", "subscribers", "frames expected", "received", "lost", "p50 ms", "p95 ms",
                "p99 ms", "server CPU ms", "server CPU µs/frame", "µs/frame net of idle", "of which user µs/frame",
                "server GC ms", "generator CPU %");
        for (Side side : List.of(memory, none)) {
            FanoutScenario.Delivery run = side.delivery();
            Latencies.Summary latency = run.latency();
            table = table.withRow(side.broker(), side.subscribers(), run.expected(), run.received(), run.lost(),
                    latency.p50(), latency.p95(), latency.p99(), run.cpu() * 1e3, run.cpuMicrosPerFrame(),
                    run.netMicrosPerFrame(side.idleCpuPerSecond()), run.userMicrosPerFrame(), run.gc() * 1e3,
                    run.generatorCpuPercent());
            notes.add("broker " + side.broker() + ": server CPU while idle with " + side.subscribers()
                    + " subscribers " + Table.cell(side.idleCpuPerSecond() * 1e3) + " ms/s");
        }

        double ratio = memory.delivery().cpuMicrosPerFrame() / none.delivery().cpuMicrosPerFrame();
        String scale = Check.scale("subscribers", Math.min(memory.subscribers(), none.subscribers()),
                TARGET_SUBSCRIBERS);
        long lost = memory.delivery().lost() + none.delivery().lost();
        List<Check> checks = new ArrayList<>();
        checks.add(Check.judged("broker memory and none: zero lost", lost + " lost",
                lost == 0 && memory.delivery().received() > 0 && none.delivery().received() > 0, scale));
        boolean resolved = memory.delivery().cpuResolved() && none.delivery().cpuResolved();
        checks.add(resolved
                ? Check.judged("server CPU per frame, broker memory / none ≤ 1.10", Table.cell(ratio),
                        ratio <= TARGET_RATIO, scale)
                : Check.notMeasured("server CPU per frame, broker memory / none ≤ 1.10",
                        "too few frames to resolve the servers' CPU"));
        if (resolved) {
            double netRatio = memory.delivery().netMicrosPerFrame(memory.idleCpuPerSecond())
                    / none.delivery().netMicrosPerFrame(none.idleCpuPerSecond());
            checks.add(Check.info("the same net of each server's idle CPU", Table.cell(netRatio)
                    + " (the idle figure is the least of a few 1 s windows: noisy on a busy machine)"));
        }
        return new ScenarioResult("broker", List.of(table), checks, memory.failed() + none.failed(), lost, notes);
    }

    /** Connects the ext subscribers, runs an unmeasured round, measures the fan-out; the clients then leave. */
    private static Side side(String broker, BenchOptions options, Target target, List<String> notes) {
        ClientPlan plan = ClientPlan.rpc(options.uniqueIdentifiers()).extended();
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), options.clients(), options.timeout(),
                plan)) {
            LoadGenerator.ConnectOutcome outcome = generator.connect(options.clients(), options.concurrency());
            outcome.failureReasons().forEach((reason, count) ->
                    notes.add("broker " + broker + ": connect failed " + count + "×: " + reason));
            int subscribers = outcome.connected();
            String path = options.paths().getFirst();
            FanoutScenario.measure(options, target, generator, path, subscribers, Math.max(1, options.messages() / 5));
            double idle = FanoutScenario.idleCpuPerSecond(target);
            FanoutScenario.Delivery delivery = FanoutScenario.measure(options, target, generator, path, subscribers,
                    options.messages());
            return new Side(broker, subscribers, outcome.failed(), idle, delivery);
        }
    }
}
