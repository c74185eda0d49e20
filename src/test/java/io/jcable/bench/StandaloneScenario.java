package io.jcable.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The same connect+subscribe storm twice in one run, on the same server: N clients identified by a JWT of their
 * own and subscribed to {@code $pubsub} with a signed stream name (standalone: no RPC call), then N clients
 * through the application's Connect and Command (BenchmarkChannel). Server CPU per confirmed client for each; the
 * standalone storm should need at most a third of the RPC storm's. It runs first because its clients leave
 * without Disconnect calls (mode auto), whereas the RPC storm's clients leave N of them, drained after the
 * measurement. Unless the warm-up is off, an unmeasured standalone storm of the same size runs before both (the
 * usual warm-up exercises only the RPC path): the first storm of a fresh server also pays for growing its heap
 * and buffer pools, which would otherwise be billed to the standalone storm alone.
 */
final class StandaloneScenario {
    private static final int TARGET_CLIENTS = 10_000;
    private static final double TARGET_CPU_SHARE = 1.0 / 3;

    /**
     * One storm's outcome, with the server CPU it cost (all, user space, in GC), the CPU of this process (the load
     * generator and, with an own target, the fake application answering the RPC calls) and the RPC calls the server
     * made meanwhile (-1: unknown).
     */
    private record Storm(String label, LoadGenerator.ConnectOutcome outcome, double cpu, double userCpu, double gc,
                         double generatorCpu, long rpcCalls) {
        double cpuMsPerClient() {
            return cpu * 1e3 / Math.max(1, outcome.connected());
        }
    }

    private StandaloneScenario() {
    }

    static ScenarioResult run(BenchOptions options, Target target) {
        if (target.secret() == null) {
            throw new IllegalArgumentException("standalone needs --secret (the server's JWT and streams secret) "
                    + "for an external server");
        }
        ClientPlan standalonePlan = ClientPlan.standalone(target.secret(), options.uniqueIdentifiers());
        List<String> notes = new ArrayList<>();
        if (options.warmup() > 0) {
            Storm warm = storm("warm-up", options.clients(), options, target, standalonePlan);
            notes.add("unmeasured standalone storm first: " + warm.outcome().connected() + " of "
                    + options.clients() + " clients confirmed, server CPU " + Table.cell(warm.cpu()) + " s ("
                    + Table.cell(warm.cpuMsPerClient()) + " ms/client)");
            target.awaitQuiet(Duration.ofSeconds(30));
        }
        Storm standalone = storm("JWT + $pubsub (no RPC)", options.clients(), options, target, standalonePlan);
        target.awaitQuiet(Duration.ofSeconds(30));
        Storm rpc = storm("RPC Connect + Command", options.clients(), options, target,
                ClientPlan.rpc(options.uniqueIdentifiers()));

        Table table = Table.of("connect + subscribe storms, standalone then through the RPC (latency from "
                        + "connection start to confirm_subscription)", "storm", "clients", "concurrency",
                "confirmed", "failed", "RPC calls", "wall s", "confirmed/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
                "server CPU s", "user s", "kernel s", "GC s", "server CPU ms/client", "generator + app CPU s");
        for (Storm storm : List.of(standalone, rpc)) {
            LoadGenerator.ConnectOutcome outcome = storm.outcome();
            double seconds = outcome.elapsed().toNanos() / 1e9;
            Latencies.Summary latency = outcome.latency();
            table = table.withRow(storm.label(), outcome.attempted(), options.concurrency(), outcome.connected(),
                    outcome.failed(), storm.rpcCalls() < 0 ? "?" : storm.rpcCalls(), seconds,
                    outcome.connected() / seconds, latency.p50(), latency.p95(), latency.p99(), latency.max(),
                    storm.cpu(), storm.userCpu(), storm.cpu() - storm.userCpu(), storm.gc(), storm.cpuMsPerClient(),
                    storm.generatorCpu());
            outcome.failureReasons().forEach((reason, count) ->
                    notes.add(storm.label() + ": failed " + count + "×: " + reason));
        }

        double share = standalone.cpuMsPerClient() / rpc.cpuMsPerClient();
        String scale = Check.scales(Check.scale("clients", options.clients(), TARGET_CLIENTS),
                Check.appLatency(options.target()));
        List<Check> checks = List.of(
                Check.judged("standalone storm of 10,000: zero failures", standalone.outcome().failed() + " failed",
                        standalone.outcome().failed() == 0, scale),
                Check.judged("standalone storm: no RPC call", standalone.rpcCalls() + " calls",
                        standalone.rpcCalls() == 0, ""),
                Double.isNaN(share)
                        ? Check.notMeasured("standalone CPU per client ≤ 1/3 of the RPC storm's", "no server process")
                        : Check.judged("standalone CPU per client ≤ 1/3 of the RPC storm's",
                                Table.cell(share * 100) + " %", share <= TARGET_CPU_SHARE, scale));
        return new ScenarioResult("standalone", List.of(table), checks,
                standalone.outcome().failed() + rpc.outcome().failed(), 0, notes);
    }

    private static Storm storm(String label, int clients, BenchOptions options, Target target, ClientPlan plan) {
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), clients, options.timeout(), plan)) {
            long callsBefore = target.metric("rpc_call_total").orElse(-1);
            double gcBefore = target.gcSeconds();
            double userCpuBefore = target.userCpuSeconds();
            double generatorBefore = ProcessProbe.self().cpuSeconds();
            double cpuBefore = target.cpuSeconds();
            LoadGenerator.ConnectOutcome outcome = generator.connect(clients, options.concurrency());
            double cpu = target.cpuSeconds() - cpuBefore;
            double generatorCpu = ProcessProbe.self().cpuSeconds() - generatorBefore;
            double userCpu = target.userCpuSeconds() - userCpuBefore;
            double gc = target.gcSeconds() - gcBefore;
            long callsAfter = target.metric("rpc_call_total").orElse(-1);
            return new Storm(label, outcome, cpu, userCpu, gc, generatorCpu,
                    callsBefore < 0 || callsAfter < 0 ? -1 : callsAfter - callsBefore);
        }
    }
}
