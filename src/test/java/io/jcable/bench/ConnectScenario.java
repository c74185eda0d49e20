package io.jcable.bench;

import java.util.ArrayList;
import java.util.List;

/** Connect storm: N clients connect and subscribe, C attempts at a time; connect→confirm latency and server CPU. */
final class ConnectScenario {
    private static final int TARGET_CLIENTS = 19_000;
    private static final double TARGET_P95_MS = 1_500;

    private ConnectScenario() {
    }

    /** One storm: how the attempts went and the server CPU seconds they took. */
    record Storm(LoadGenerator.ConnectOutcome outcome, double cpuSeconds) {
        double seconds() {
            return outcome.elapsed().toNanos() / 1e9;
        }

        double cpuMillisPerClient() {
            return cpuSeconds * 1e3 / Math.max(1, outcome.connected());
        }
    }

    /** {@code clients} more clients of {@code generator} connect and subscribe, {@code concurrency} at a time. */
    static Storm storm(LoadGenerator generator, Target target, int clients, int concurrency) {
        double cpuBefore = target.cpuSeconds();
        LoadGenerator.ConnectOutcome outcome = generator.connect(clients, concurrency);
        return new Storm(outcome, target.cpuSeconds() - cpuBefore);
    }

    static ScenarioResult run(BenchOptions options, Target target) {
        int clients = options.clients();
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), clients, options.timeout(),
                options.uniqueIdentifiers())) {
            Storm storm = storm(generator, target, clients, options.concurrency());
            LoadGenerator.ConnectOutcome outcome = storm.outcome();
            double cpu = storm.cpuSeconds();
            double seconds = storm.seconds();
            Latencies.Summary latency = outcome.latency();
            Table table = Table.of("connect + subscribe storm (latency from connection start to confirm_subscription)",
                            "clients", "concurrency", "confirmed", "failed", "wall s", "confirmed/s",
                            "p50 ms", "p95 ms", "p99 ms", "max ms", "server CPU s", "server CPU ms/conn")
                    .withRow(clients, options.concurrency(), outcome.connected(), outcome.failed(), seconds,
                            outcome.connected() / seconds, latency.p50(), latency.p95(), latency.p99(), latency.max(),
                            cpu, storm.cpuMillisPerClient());

            String scale = Check.scales(Check.scale("clients", clients, TARGET_CLIENTS),
                    Check.appLatency(options.target()));
            List<Check> checks = List.of(
                    Check.judged("19,000 connect+subscribe with 1 ms app latency: zero failures",
                            outcome.failed() + " failed", outcome.failed() == 0, scale),
                    Check.judged("19,000 connect+subscribe with 1 ms app latency: p95 < 1.5 s",
                            Table.cell(latency.p95()) + " ms", latency.p95() < TARGET_P95_MS, scale));
            List<String> notes = new ArrayList<>();
            outcome.failureReasons().forEach((reason, count) -> notes.add("failed " + count + "×: " + reason));
            target.metric("clients_num")
                    .ifPresent(count -> notes.add("server counted " + count + " clients at the end"));
            return new ScenarioResult("connect", List.of(table), checks, outcome.failed(), 0, notes);
        }
    }
}
