package io.jcable.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.jcable.testing.CableEnvironment;
import io.jcable.testing.WarDeployment;

/**
 * Options of one benchmark run, parsed from {@code <scenario> [--name value | --name=value]...}.
 *
 * @param clients           connected clients (connect, fanout, rpc, slow, soak, standalone)
 * @param concurrency       connection attempts in flight at once
 * @param messages          broadcasts per publish path (fanout)
 * @param interval          time between two broadcasts (fanout, slow, soak)
 * @param paths             publish paths: redis, http, action (a client performs {@code broadcast})
 * @param levels            idle client counts to measure memory at (memory)
 * @param rates             offered perform rates per second (rpc)
 * @param duration          length of one rate step (rpc), one phase (slow) or the churn (soak)
 * @param churnPerSecond    clients leaving and replaced by new ones per second (soak)
 * @param slowPercent       share of clients that stop reading (slow)
 * @param padBytes          padding added to every broadcast payload
 * @param floodBytes        size of each broadcast sent to the non-reading clients (slow)
 * @param timeout           limit for one connection attempt; phase limits grow from it with the client count
 * @param settle            wait before measuring memory at a level (memory, soak)
 * @param warmup            clients of the warm-up run before measuring (0: none)
 * @param warmupTime        how long the warm-up load runs; for soak also the churn before its baseline
 * @param uniqueIdentifiers clients subscribe with identifiers of their own instead of one shared identifier
 * @param variants          grpc: the client JVMs to alternate, each a name and extra JVM flags
 * @param rounds            grpc: how many times each variant runs, alternated; compare: rounds of storm and fan-out
 * @param other             compare: the other server, given by {@code --url} and the options that describe it; null
 *                          for the reference server, which the tool starts from {@code reference}
 * @param reference         compare: directory of the Node reference server
 * @param out               Markdown file the results are appended to
 * @param command           the command line, as written to the results
 */
record BenchOptions(Scenario scenario, TargetOptions target, int clients, int concurrency, int messages,
                    Duration interval, List<String> paths, List<Integer> levels, List<Integer> rates,
                    Duration duration, int churnPerSecond, double slowPercent, int padBytes, int floodBytes,
                    Duration timeout, Duration settle, int warmup, Duration warmupTime, boolean uniqueIdentifiers,
                    List<GrpcScenario.Variant> variants, int rounds, TargetOptions other, Path reference, Path out, String command) {

    /** Where the shared workspace keeps the reference server. */
    static final String DEFAULT_REFERENCE = "/work/shared/reference/node-ws-server";

    static final String USAGE = """
            usage: scripts/bench <connect|fanout|memory|rpc|grpc|slow|soak|standalone|nodes|broker|compare|restore> [options]
            compare: jcable, then the Node reference server (or the server at --url), under the same two storms
            (cold, then warm) and fan-out by Redis on the same CPUs (the reference also on the same fake gRPC app and Redis), then the
            rpc steps (--rates) over 200 clients on each: two tables with ratios. There --url, --server-pid, --metrics-url, --redis-url and --redis-channel describe the
            other server.
            nodes: one jcable with N subscribers against three jcable processes on the Redis pub/sub with N/3
            each (HTTP broadcasts to the first), then the redisx consumption rate of one node (own target only).
            broker: the fan-out to N actioncable-v1-ext-json subscribers with ANYCABLE_BROKER=memory, then on a
            second jcable with ANYCABLE_BROKER=none; server CPU per frame of each and the ratio (own target only).
            restore: N extended clients lose node A (Redis broker), 20 broadcasts, all come back to node B
            without their sid (RPC Connect + subscribe with history); then N others the same way, but restored
            by their sid (history, no RPC); 0 lost, 0 duplicates each; then N fresh RPC clients (no history):
            node B's CPU per client of each (own target only; --warmup clients do an unmeasured cycle of each
            kind first).
            grpc: jcable's gRPC client alone (its GrpcController in a JVM of its own, pinned and flagged as the
            server) sends echo Commands open loop at --rates to the fake app in the generator: its CPU per call
            and p50/p99; each of --variants is a client JVM of its own, the variants alternated --rounds times.
            One generator process holds at most (open-files limit - 300) clients: about 19,700 with 20,000.
              --clients N            clients (connect 19000, fanout 10000, broker 10000, compare 10000,
                                     nodes 9000, rpc 200, slow 1000, soak 2000, standalone 10000, restore 10000)
              --concurrency C        connection attempts in flight (100)
              --messages M           broadcasts per path (fanout, nodes, broker: 50; compare: 20)
              --interval-ms T        time between broadcasts (fanout 200, slow 50, soak 1000, compare 1000)
              --paths a,b            publish paths: redis, http, action (own target: redis,http)
              --levels a,b,...       idle clients to measure memory at (0,1000,5000,10000,19000)
              --rates a,b,...        offered performs/s (2500,5000,10000,15000)
              --duration-s S         length of one rate step / slow phase (10), of the soak's churn (1800)
              --churn-per-s R        soak: clients per second that leave and are replaced by new ones (20)
              --slow-percent P       clients that stop reading (1)
              --pad-bytes B          extra payload per broadcast (0; compare 140: about 200 B in all)
              --flood-bytes B        size of each broadcast to the non-reading clients (65536)
              --timeout-s S          limit per connection attempt (30)
              --settle-s S           wait before a memory measurement (20: string deduplication runs
                                     in the background after collections)
              --warmup N             clients of a warm-up run before measuring, 0 for none (500)
              --warmup-s S           length of the warm-up load (30); soak: also its churn before the baseline
              --identifiers MODE     shared: every client subscribes to {"channel":"BenchmarkChannel"} (one
                                     broadcast frame fits all); unique: adds "id":"<n>" per client (shared)
              --variants "A=FLAGS|B=FLAGS"  grpc: named client variants, each its extra JVM flags, e.g.
                                     -Djcable.x=y (default=: one variant without extra flags)
              --rounds N             grpc: runs of each variant, alternated (1); compare: rounds of a warm
                                     storm and its fan-out on each server, alternated, ratios judged on their
                                     median (1)
              --app-latency-ms L     latency of the fake gRPC app (1)
              --out FILE             results file to append to (BENCHMARKS.md)
              --server-jvm "FLAGS"   JVM flags of the jcable process (%s)
              --server-cpus LIST     taskset -c list for jcable, or none (0)
              --war jetty            serve the built WAR from a standalone Jetty 12 set up as README's
                                     "Deploying the WAR" says (its JVM flags: .mvn/jvm.config unless
                                     --server-jvm) instead of jcable in embedded Jetty; scripts/bench then
                                     packages it first (own target only)
              --url ws://H:P/cable   drive an external Action Cable server instead of starting jcable
              --server-pid PID       external server process to measure (CPU, RSS, heap if a JVM)
              --metrics-url URL      external server's Prometheus endpoint
              --redis-url URL        Redis the external server subscribes to (enables path redis)
              --broadcast-url URL    external server's HTTP broadcast endpoint (enables path http)
              --redis-channel NAME   Redis channel (__anycable__)
              --secret S             the server's JWT and streams secret for standalone (own target: random)
              --reference DIR        compare: the Node reference server, copied to a temporary directory and
                                     installed there with npm ci (%s)
            ANYCABLE_* and JCABLE_* variables of the environment go to the jcable process the tool starts
            (e.g. ANYCABLE_RPC_CONCURRENCY=128); its own settings (RPC host, Redis, paths) win.
            """.formatted(TargetOptions.DEFAULT_SERVER_JVM, DEFAULT_REFERENCE);

    private static final Set<String> NAMES = Set.of("clients", "concurrency", "messages", "interval-ms", "paths",
            "levels", "rates", "duration-s", "churn-per-s", "slow-percent", "pad-bytes", "flood-bytes", "timeout-s",
            "settle-s", "warmup", "warmup-s", "identifiers", "app-latency-ms", "out", "server-jvm", "server-cpus", "url",
            "server-pid", "metrics-url", "redis-url", "broadcast-url", "redis-channel", "secret", "reference", "variants", "rounds",
            "war");
    private static final Set<String> PATHS = Set.of("redis", "http", "action");

    /**
     * Parses the arguments; IllegalArgumentException names the bad one. The {@code ANYCABLE_*} / {@code JCABLE_*}
     * variables of {@code environment} go to the jcable process the tool starts.
     */
    static BenchOptions parse(List<String> args, String command, Map<String, String> environment) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("no scenario given");
        }
        Scenario scenario = Scenario.parse(args.getFirst());
        Map<String, String> given = new HashMap<>();
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            if (!NAMES.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            if (eq < 0 && i + 1 >= args.size()) {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            given.put(name, eq < 0 ? args.get(++i) : arg.substring(eq + 1));
        }
        Values values = new Values(given);

        URI url = values.uri("url");
        URI redisUrl = values.uri("redis-url");
        URI broadcastUrl = values.uri("broadcast-url");
        String warContainer = values.text("war", null);
        if (warContainer != null && !warContainer.equals("jetty")) {
            throw new IllegalArgumentException("--war: only jetty: " + warContainer);
        }
        boolean war = warContainer != null;
        // one Jetty base, target/bench-jetty-base: these scenarios start a second jcable beside the first; grpc
        // starts no server at all
        if (war && (url != null || scenario == Scenario.NODES || scenario == Scenario.RESTORE
                || scenario == Scenario.BROKER || scenario == Scenario.GRPC)) {
            throw new IllegalArgumentException("--war deploys the tool's one own target: not with --url, nodes,"
                    + " restore, broker or grpc");
        }
        TargetOptions described = new TargetOptions(url, values.integer("server-pid", 0, 0, Integer.MAX_VALUE),
                values.uri("metrics-url"), redisUrl, broadcastUrl, values.text("redis-channel", "__anycable__"),
                Duration.ofMillis(values.integer("app-latency-ms", 1, 0, 10_000)),
                values.text("server-jvm", war ? WarDeployment.recommendedJvmFlags() : TargetOptions.DEFAULT_SERVER_JVM),
                values.text("server-cpus", "0"), values.text("secret", null),
                CableEnvironment.cableVariables(environment), war);
        // compare: jcable is always the tool's own; the external options describe the other server
        boolean compare = scenario == Scenario.COMPARE;
        TargetOptions target = compare ? described.selfHostedPart() : described;
        TargetOptions other = compare && url != null ? described : null;

        if (scenario == Scenario.BROKER) {
            if (url != null) {
                throw new IllegalArgumentException("broker starts jcable twice, with ANYCABLE_BROKER=memory and none:"
                        + " not with --url");
            }
            // the scenario's own comparison, whatever the environment says
            target = target.withServerSetting(BrokerScenario.BROKER, "memory");
        }
        // compare: one path both servers have; the reference server takes broadcasts by Redis only
        List<String> defaultPaths = new ArrayList<>();
        if (url == null || redisUrl != null) {
            defaultPaths.add("redis");
        }
        if ((url == null || broadcastUrl != null) && !(compare && !defaultPaths.isEmpty())) {
            defaultPaths.add("http");
        }
        if (defaultPaths.isEmpty()) {
            defaultPaths.add("action");
        }
        List<String> paths = values.list("paths", String.join(",", defaultPaths));
        for (String path : paths) {
            if (!PATHS.contains(path)) {
                throw new IllegalArgumentException("--paths: unknown path '" + path + "' (redis, http, action)");
            }
        }
        // the target sizes; memory uses --levels instead
        int defaultClients = switch (scenario) {
            case CONNECT -> 19_000;
            case FANOUT, STANDALONE, BROKER, COMPARE, RESTORE -> 10_000;
            case NODES -> 9_000;
            case RPC, GRPC -> 200;
            case MEMORY, SLOW -> 1_000;
            case SOAK -> 2_000;
        };
        return new BenchOptions(scenario, target,
                values.integer("clients", defaultClients, 1, 1_000_000),
                values.integer("concurrency", 100, 1, 10_000),
                values.integer("messages", compare ? 20 : 50, 1, 100_000),
                Duration.ofMillis(values.integer("interval-ms", switch (scenario) {
                    case SLOW -> 50;
                    case SOAK, COMPARE -> 1_000;
                    default -> 200;
                }, 1, 60_000)),
                paths,
                values.integers("levels", "0,1000,5000,10000,19000", 0),
                values.integers("rates", "2500,5000,10000,15000", 1),
                Duration.ofSeconds(values.integer("duration-s", scenario == Scenario.SOAK ? 1_800 : 10, 1, 86_400)),
                values.integer("churn-per-s", 20, 1, 10_000),
                values.decimal("slow-percent", 1, 0.01, 50),
                values.integer("pad-bytes", compare ? 140 : 0, 0, 1 << 20),
                values.integer("flood-bytes", 65_536, 1, 1 << 20),
                Duration.ofSeconds(values.integer("timeout-s", 30, 1, 3_600)),
                Duration.ofSeconds(values.integer("settle-s", 20, 0, 3_600)),
                values.integer("warmup", 500, 0, 5_000),
                Duration.ofSeconds(values.integer("warmup-s", 30, 1, 3_600)),
                values.choice("identifiers", "shared", "unique"),
                GrpcScenario.Variant.parse(values.text("variants", "default=")),
                values.integer("rounds", 1, 1, 100),
                other, Path.of(values.text("reference", DEFAULT_REFERENCE)),
                Path.of(values.text("out", "BENCHMARKS.md")),
                command);
    }

    /** Typed access to the given option values, with defaults and bounds. */
    private record Values(Map<String, String> given) {
        String text(String name, String fallback) {
            return given.getOrDefault(name, fallback);
        }

        /** True when the option names the second choice; the first is the default. */
        boolean choice(String name, String first, String second) {
            String value = text(name, first);
            if (!value.equals(first) && !value.equals(second)) {
                throw new IllegalArgumentException("--" + name + " must be " + first + " or " + second + ": " + value);
            }
            return value.equals(second);
        }

        URI uri(String name) {
            String value = given.get(name);
            try {
                return value == null ? null : URI.create(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + name + ": not a URL: " + value);
            }
        }

        int integer(String name, int fallback, int min, int max) {
            String value = given.get(name);
            int parsed;
            try {
                parsed = value == null ? fallback : Integer.parseInt(value.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + ": not an integer: " + value);
            }
            if (parsed < min || parsed > max) {
                throw new IllegalArgumentException("--" + name + " must be in [" + min + ", " + max + "]: " + parsed);
            }
            return parsed;
        }

        double decimal(String name, double fallback, double min, double max) {
            String value = given.get(name);
            double parsed;
            try {
                parsed = value == null ? fallback : Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + ": not a number: " + value);
            }
            if (!(parsed >= min && parsed <= max)) {
                throw new IllegalArgumentException("--" + name + " must be in [" + min + ", " + max + "]: " + parsed);
            }
            return parsed;
        }

        List<String> list(String name, String fallback) {
            List<String> items = Arrays.stream(text(name, fallback).split(","))
                    .map(String::trim).filter(item -> !item.isEmpty()).toList();
            if (items.isEmpty()) {
                throw new IllegalArgumentException("--" + name + " is empty");
            }
            return items;
        }

        List<Integer> integers(String name, String fallback, int min) {
            List<Integer> numbers = new ArrayList<>();
            for (String item : list(name, fallback)) {
                try {
                    int number = Integer.parseInt(item.replace("_", ""));
                    if (number < min) {
                        throw new IllegalArgumentException("--" + name + ": " + number + " is below " + min);
                    }
                    numbers.add(number);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--" + name + ": not an integer: " + item);
                }
            }
            return numbers.stream().distinct().sorted().toList();
        }
    }
}
