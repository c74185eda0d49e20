package io.jcable.bench;

import java.time.Duration;
import java.util.List;

/**
 * The benchmark tool:
 * {@code scripts/bench <connect|fanout|memory|rpc|grpc|slow|soak|standalone|nodes|broker|compare|restore> [options]}
 * (see {@link BenchOptions#USAGE}). Prints one Markdown section per run and appends it to the results file.
 * Exits 0 when every client connected and nothing was lost, 1 otherwise, 2 on a usage error.
 */
public final class Bench {
    /** Longest wait for the previous run's clients and Disconnect calls to be gone. */
    static final Duration QUIET_LIMIT = Duration.ofSeconds(30);

    private Bench() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(BenchOptions.USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        String command = System.getenv().getOrDefault("BENCH_COMMAND", "Bench " + String.join(" ", args));
        int status;
        try {
            BenchOptions options = BenchOptions.parse(List.of(args), command, System.getenv());
            // grpc starts its own client JVM and fake app: no jcable server
            try (Target target = options.scenario() == Scenario.GRPC ? null : Target.open(options.target())) {
                ScenarioResult result = execute(options, target);
                status = result.failures() == 0 && result.lost() == 0 ? 0 : 1;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            status = 2;
        } catch (RuntimeException e) {
            System.err.println("bench: run failed");
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    /**
     * Runs one scenario against {@code target} (null for grpc, which has none), prints its section and appends it
     * to the results file.
     */
    static ScenarioResult execute(BenchOptions options, Target target) {
        Environment environment = Environment.capture();
        if (options.scenario() == Scenario.GRPC) {
            System.out.println("bench: grpc, jcable's gRPC client alone");
            return report(options, environment, List.of(), GrpcScenario.run(options));
        }
        System.out.println("bench: " + options.scenario().label() + " against " + target.cableUrl());
        String warmup = Warmup.run(options, target);
        target.awaitQuiet(QUIET_LIMIT);
        ScenarioResult measured = switch (options.scenario()) {
            case CONNECT -> ConnectScenario.run(options, target);
            case FANOUT -> FanoutScenario.run(options, target);
            case MEMORY -> MemoryScenario.run(options, target);
            case RPC -> RpcScenario.run(options, target);
            case GRPC -> throw new IllegalStateException("grpc has no target");
            case SLOW -> SlowScenario.run(options, target);
            case SOAK -> SoakScenario.run(options, target);
            case STANDALONE -> StandaloneScenario.run(options, target);
            case NODES -> NodesScenario.run(options, target);
            case BROKER -> BrokerScenario.run(options, target);
            case COMPARE -> CompareScenario.run(options, target);
            case RESTORE -> RestoreScenario.run(options, target);
        };
        return report(options, environment, target.description(), measured.withNote(warmup));
    }

    private static ScenarioResult report(BenchOptions options, Environment environment, List<String> target,
                                         ScenarioResult result) {
        String section = Report.section(options, environment, target, result);
        System.out.print(section);
        Report.append(options.out(), section);
        System.out.println("bench: appended to " + options.out().toAbsolutePath());
        return result;
    }
}
