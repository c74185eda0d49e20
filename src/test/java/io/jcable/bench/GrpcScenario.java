package io.jcable.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.jcable.testing.CableEnvironment;
import io.jcable.testing.ChildProcesses;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.WarDeployment;

/**
 * jcable's gRPC client alone: {@link GrpcClientMain} in its own JVM (pinned like the server, {@code --server-jvm}
 * flags, the {@code ANYCABLE_*} / {@code JCABLE_*} settings) sends {@code echo} Commands open loop at each rate of
 * {@code --rates} to the fake app in this process; its CPU per call comes from its own /proc. Each
 * {@code --variants} entry ({@code name=extra JVM flags}, entries separated by {@code |}) is a client JVM of its own,
 * the variants alternated {@code --rounds} times so that they share the machine's noise; then the medians.
 */
final class GrpcScenario {
    /** How long a client may take beyond its planned calls (start-up, the last replies, its exit). */
    private static final long SLACK_SECONDS = 60;

    private GrpcScenario() {
    }

    /** One variant: a name for the tables and the JVM flags added to the client's. */
    record Variant(String name, String flags) {
        static List<Variant> parse(String text) {
            List<Variant> variants = new ArrayList<>();
            for (String entry : text.split("\\|")) {
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--variants: not name=flags: '" + entry + "'");
                }
                variants.add(new Variant(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim()));
            }
            return List.copyOf(variants);
        }
    }

    /** One rate step of one client run. */
    record Step(String variant, int round, int rate, long calls, long errors, double p50, double p99, double cpu,
                double userCpu, double wall, long rssKiB) {
        double cpuMicrosPerCall() {
            return cpu * 1e6 / Math.max(1, calls);
        }
    }

    static ScenarioResult run(BenchOptions options) {
        List<Step> steps = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (FakeRpcApp app = FakeRpcApp.start(publication -> { })) {
            app.latency(options.target().appLatency());
            app.recordCalls(false);
            for (int round = 1; round <= options.rounds(); round++) {
                for (Variant variant : options.variants()) {
                    try {
                        steps.addAll(client(options, app.target(), variant, round));
                    } catch (IllegalStateException e) {
                        // one run that collapsed (a client starved of CPU queues calls until they time out) must
                        // not cost the others' figures
                        notes.add(e.getMessage());
                    }
                }
            }
        }
        Table runs = Table.of("echo Commands from jcable's GrpcController alone, " + options.duration().toSeconds()
                        + " s per rate after " + options.warmupTime().toSeconds() + " s of warm-up, open loop",
                "variant", "round", "offered/s", "calls", "errors", "p50 ms", "p99 ms", "client CPU µs/call",
                "of which user µs/call", "client CPU %", "client RSS MiB");
        long errors = 0;
        for (Step step : steps) {
            errors += step.errors();
            runs = runs.withRow(step.variant(), step.round(), step.rate(), step.calls(), step.errors(), step.p50(),
                    step.p99(), step.cpuMicrosPerCall(), step.userCpu() * 1e6 / Math.max(1, step.calls()),
                    step.cpu() * 100 / step.wall(), step.rssKiB() / 1024.0);
        }
        int failedRuns = notes.size();
        notes.addFirst("client: " + GrpcClientMain.class.getSimpleName() + " in its own JVM on CPUs "
                + options.target().serverCpus() + ", flags " + options.target().serverJvm()
                + "; settings " + options.target().serverSettings().keySet()
                + "; fake gRPC app in the generator process, " + options.target().appLatency().toMillis()
                + " ms per call; variants " + options.variants());
        return new ScenarioResult("grpc", List.of(runs, medians(options, steps)), List.of(), failedRuns, errors,
                notes);
    }

    /** Per variant and rate: the medians over the rounds, and the CPU per call against the first variant's. */
    private static Table medians(BenchOptions options, List<Step> steps) {
        Table table = Table.of("medians over " + options.rounds() + " round(s)", "variant", "offered/s",
                "p99 ms", "client CPU µs/call", "vs " + options.variants().getFirst().name(), "client RSS MiB");
        for (int rate : options.rates()) {
            double base = Double.NaN;
            for (Variant variant : options.variants()) {
                List<Step> mine = steps.stream()
                        .filter(step -> step.rate() == rate && step.variant().equals(variant.name())).toList();
                double cpu = Median.of(mine, Step::cpuMicrosPerCall);
                base = Double.isNaN(base) ? cpu : base;
                table = table.withRow(variant.name(), rate, Median.of(mine, Step::p99), cpu, cpu / base,
                        Median.of(mine, step -> step.rssKiB() / 1024.0));
            }
        }
        return table;
    }

    /** Runs one client JVM through every rate and reads its STEP lines. */
    private static List<Step> client(BenchOptions options, String appTarget, Variant variant, int round) {
        List<String> command = new ArrayList<>();
        if (!options.target().serverCpus().equals("none")) {
            command.addAll(List.of("taskset", "-c", options.target().serverCpus()));
        }
        command.add(WarDeployment.javaCommand());
        for (String flags : List.of(options.target().serverJvm(), variant.flags())) {
            Arrays.stream(flags.trim().split("\\s+")).filter(flag -> !flag.isEmpty()).forEach(command::add);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GrpcClientMain.class.getName(),
                Long.toString(options.warmupTime().toSeconds()), Long.toString(options.duration().toSeconds())));
        options.rates().forEach(rate -> command.add(Integer.toString(rate)));
        Map<String, String> settings = new LinkedHashMap<>(options.target().serverSettings());
        settings.put("ANYCABLE_RPC_HOST", appTarget);
        long limit = options.warmupTime().toSeconds() + options.rates().size() * options.duration().toSeconds()
                + SLACK_SECONDS;
        Path log = null;
        try {
            log = Files.createTempFile("jcable-bench-grpc-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            CableEnvironment.replaceCableVariables(builder.environment(), settings);
            builder.environment().put("MALLOC_ARENA_MAX",
                    System.getenv().getOrDefault("MALLOC_ARENA_MAX", TargetOptions.MALLOC_ARENAS));
            Process process = builder.start();
            Thread reaper = ChildProcesses.reapOnExit(process, "jcable-bench-grpc-reaper");
            try {
                if (!process.waitFor(limit, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    List<String> output = Files.readAllLines(log);
                    throw new IllegalStateException("gRPC client " + variant.name() + " round " + round
                            + " failed or took over " + limit + " s; its last output: "
                            + output.subList(Math.max(0, output.size() - 3), output.size()));
                }
            } finally {
                ChildProcesses.end(process, true, Duration.ofSeconds(5));
                ChildProcesses.stopReaping(reaper);
            }
            return Files.readAllLines(log).stream().filter(line -> line.startsWith("STEP "))
                    .map(line -> step(variant.name(), round, line)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            if (log != null) {
                log.toFile().delete();
            }
        }
    }

    private static Step step(String variant, int round, String line) {
        String[] f = line.split(" ");
        return new Step(variant, round, Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                Double.parseDouble(f[7]), Double.parseDouble(f[8]), Long.parseLong(f[9]));
    }
}
