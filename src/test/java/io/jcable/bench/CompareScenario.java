package io.jcable.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * jcable against another Action Cable server, one after the other under the same load: the same connect storm,
 * the same fan-out through one publish path, then the same open-loop performs at each of {@code --rates}, the
 * same fake gRPC app and Redis when the tool starts the other server (the Node reference server,
 * {@link ReferenceServer}), the same CPUs. One table with both rows and their ratios, one for the performs,
 * judged against issue 12's targets.
 */
final class CompareScenario {
    private static final int TARGET_SUBSCRIBERS = 10_000;
    private static final double TARGET_RSS_KIB = 12;
    private static final double TARGET_FRAME_CPU_RATIO = 1.1;
    /** Clients the performs of the RPC steps go over (the rpc scenario's default; fewer with fewer --clients). */
    private static final int RPC_CLIENTS = 200;

    private CompareScenario() {
    }

    /**
     * What one server measured.
     *
     * @param firstStorm the process's first storm (cold: the JIT compiles the connect path meanwhile), whose
     *                   memory growth is the RSS per connection
     * @param storm      the second storm on the same process (warm), whose clients then get the broadcasts
     */
    private record Side(String name, ConnectScenario.Storm firstStorm, ConnectScenario.Storm storm,
                        double rssKiBPerConnection, FanoutScenario.Delivery delivery, RpcScenario.Steps rpc) {
        Round round() {
            return new Round(storm, delivery);
        }

        Object[] row(BenchOptions options) {
            Latencies.Summary latency = delivery.latency();
            return new Object[] {name, options.clients(), storm.outcome().connected(),
                    firstStorm.outcome().failed() + storm.outcome().failed(), storm.seconds(),
                    firstStorm.cpuMillisPerClient(), storm.cpuMillisPerClient(), latency.p50(), latency.p95(),
                    delivery.cpuMicrosPerFrame(), rssKiBPerConnection, delivery.lost()};
        }
    }

    /** A warm storm and the fan-out to its clients, on one server. */
    private record Round(ConnectScenario.Storm storm, FanoutScenario.Delivery delivery) {
    }

    /** One round on each server, and their ratios (mine over theirs). */
    private record RoundPair(Round mine, Round theirs) {
        double connectCpu() {
            return mine.storm().cpuMillisPerClient() / theirs.storm().cpuMillisPerClient();
        }

        double p95() {
            return mine.delivery().latency().p95() / theirs.delivery().latency().p95();
        }

        double frameCpu() {
            return mine.delivery().cpuMicrosPerFrame() / theirs.delivery().cpuMicrosPerFrame();
        }

        Object[] row(int number) {
            return new Object[] {number, mine.storm().cpuMillisPerClient(), theirs.storm().cpuMillisPerClient(),
                    connectCpu(), mine.delivery().latency().p95(), theirs.delivery().latency().p95(), p95(),
                    mine.delivery().lastFramesCell(), theirs.delivery().lastFramesCell(),
                    mine.delivery().cpuMicrosPerFrame(), theirs.delivery().cpuMicrosPerFrame(), frameCpu()};
        }
    }

    /**
     * Measures {@code jcable} (warmed up already), then starts, warms up and measures the other server; with
     * {@code --rounds N}, then N-1 more rounds of a warm storm and its fan-out, jcable's and the other's
     * alternated, so that a drift of the machine's speed falls on both (the ratios judged are then the medians
     * over the rounds).
     */
    static ScenarioResult run(BenchOptions options, Target jcable) {
        String path = options.paths().getFirst();
        List<String> notes = new ArrayList<>();
        Side mine = measure("jcable", options, jcable, path);
        Side theirs;
        List<RoundPair> rounds = new ArrayList<>();
        try (Target other = options.other() != null ? Target.open(options.other())
                : Target.reference(options.target(), options.reference(), jcable)) {
            other.description().forEach(line -> notes.add("other " + line));
            notes.add("other " + Warmup.run(options, other));
            other.awaitQuiet(Bench.QUIET_LIMIT);
            theirs = measure(options.other() != null ? "other (" + other.cableUrl() + ")" : "reference (Node)",
                    options, other, path);
            rounds.add(new RoundPair(mine.round(), theirs.round()));
            for (int round = 2; round <= options.rounds(); round++) {
                Round own = stormAndFanout(options, jcable, path);
                rounds.add(new RoundPair(own, stormAndFanout(options, other, path)));
            }
        }

        Ratios ratios = Ratios.of(mine, theirs);
        Table table = Table.of("jcable against " + theirs.name() + ": connect+subscribe storm of "
                        + Table.cell(options.clients()) + " (" + options.concurrency() + " at a time), then "
                        + options.messages() + " broadcasts on 'all' by " + path + ", one every "
                        + options.interval().toMillis() + " ms",
                "server", "clients", "subscribed", "failed", "all subscribed s", "first storm CPU ms/client",
                "connect CPU ms/client", "fan-out p50 ms", "fan-out p95 ms", "CPU µs/frame", "RSS KiB/conn",
                "lost frames")
                .withRow(mine.row(options))
                .withRow(theirs.row(options))
                .withRow(ratios.row());

        String scale = Check.scales(Check.scale("subscribers", options.clients(), TARGET_SUBSCRIBERS),
                Check.appLatency(options.target()));
        Table rpc = Table.of("echo performs over " + rpcClients(options) + " clients, " + options.duration().toSeconds()
                        + " s per rate, open loop, on each server", "server", "offered/s", "achieved/s", "lost",
                "p50 ms", "p99 ms", "server CPU µs/perform");
        for (Side side : List.of(mine, theirs)) {
            for (RpcScenario.Step step : side.rpc().steps()) {
                rpc = rpc.withRow(side.name(), step.rate(), step.achieved(), step.lost(), step.latency().p50(),
                        step.latency().p99(), step.cpuMicrosPerPerform());
            }
        }
        for (int i = 0; i < Math.min(mine.rpc().steps().size(), theirs.rpc().steps().size()); i++) {
            RpcScenario.Step own = mine.rpc().steps().get(i);
            RpcScenario.Step other = theirs.rpc().steps().get(i);
            rpc = rpc.withRow("ratio jcable / other", own.rate(), own.achieved() / other.achieved(), "",
                    own.latency().p50() / other.latency().p50(), own.latency().p99() / other.latency().p99(),
                    own.cpuMicrosPerPerform() / other.cpuMicrosPerPerform());
        }

        List<Table> tables = new ArrayList<>(List.of(table, rpc));
        if (rounds.size() > 1) {
            Table alternated = Table.of(rounds.size() + " rounds of a warm storm and its fan-out, jcable's and the "
                            + "other's alternated (round 1: the table above)", "round", "jcable connect CPU ms/client",
                    "other's", "ratio", "jcable fan-out p95 ms", "other's", "ratio",
                    "jcable's broadcast's last frame, median / slowest ms", "other's", "jcable CPU µs/frame",
                    "other's", "ratio");
            for (int i = 0; i < rounds.size(); i++) {
                alternated = alternated.withRow(rounds.get(i).row(i + 1));
            }
            tables.add(alternated);
        }
        String overRounds = rounds.size() > 1 ? ", median of " + rounds.size() + " alternated rounds" : "";

        long failed = theirs.firstStorm().outcome().failed() + mine.firstStorm().outcome().failed()
                + mine.rpc().outcome().failed() + theirs.rpc().outcome().failed();
        long lost = 0;
        for (RoundPair pair : rounds) {
            for (Round round : List.of(pair.mine(), pair.theirs())) {
                failed += round.storm().outcome().failed();
                lost += round.delivery().lost();
            }
        }
        List<Check> checks = new ArrayList<>(List.of(
                Check.judged("both: every client subscribed, no frame lost", failed + " failed, " + lost + " lost",
                        failed == 0 && lost == 0, scale),
                ratioCheck("connect+subscribe server CPU per client ≤ the other's (second storm, warm" + overRounds
                        + ")", Median.of(rounds, RoundPair::connectCpu), 1, scale),
                Check.info("connect+subscribe server CPU per client, first storm (cold), against the other's",
                        Table.cell(ratios.firstConnectCpu()) + "×"),
                ratioCheck("server CPU per delivered frame ≤ 1.1× the other's" + overRounds,
                        Median.of(rounds, RoundPair::frameCpu), TARGET_FRAME_CPU_RATIO, scale),
                ratioCheck("fan-out p95 ≤ the other's" + overRounds, Median.of(rounds, RoundPair::p95), 1, scale),
                Check.info("a broadcast's last frame (when its last subscriber got it), median / slowest of "
                                + options.messages() + ", jcable against the other",
                        mine.delivery().lastFramesCell() + " ms against " + theirs.delivery().lastFramesCell()
                                + " ms: " + Table.cell(ratios.lastFrame()) + "× the other's median"),
                Check.info("the generator's own GC pauses during the fan-out (they count in its latencies), "
                                + "jcable's run against the other's", Table.cell(mine.delivery().generatorGc() * 1e3)
                                + " ms against " + Table.cell(theirs.delivery().generatorGc() * 1e3) + " ms"),
                Check.info("the generator's CPU per frame received during the fan-out (one core reads for all "
                                + "clients: when it reads slower than the server writes, the latencies are its own), "
                                + "jcable's run against the other's",
                        Table.cell(mine.delivery().generatorMicrosPerFrame()) + " µs against "
                                + Table.cell(theirs.delivery().generatorMicrosPerFrame()) + " µs"),
                Double.isNaN(mine.rssKiBPerConnection())
                        ? Check.notMeasured("jcable ≤ 12 KiB RSS per subscribed connection", "no RSS")
                        : Check.judged("jcable ≤ 12 KiB RSS per subscribed connection",
                        Table.cell(mine.rssKiBPerConnection()) + " KiB",
                        mine.rssKiBPerConnection() <= TARGET_RSS_KIB, scale)));
        checks.addAll(RpcScenario.checks(mine.rpc().steps(), options.target()));
        RpcScenario.checks(theirs.rpc().steps(), options.target()).forEach(check -> checks.add(
                Check.info("the other server: " + check.target(), check.measured())));
        notes.add("ratios are jcable's figure over the other's; CPU and RSS are the server process's own "
                + "(/proc), RSS per connection is the growth from before the storm to after it and the settle time ("
                + options.settle().toSeconds() + " s; a JVM is collected fully before both readings), divided by "
                + "the clients subscribed");
        notes.add("each server takes two storms of " + Table.cell(options.clients()) + " clients: the first (cold, "
                + "its clients closed afterwards, then the server left to go quiet) gives the RSS per connection and "
                + "the first storm's CPU, the second (warm: the issue's \"second storm on the same process\") the "
                + "connect CPU and the subscribers of the fan-out");
        notes.add("jcable stays up, without clients, while the other server is measured"
                + (rounds.size() > 1 ? ", and the other while jcable is, in the alternated rounds" : ""));
        notes.add("the performs' lost replies count in the steps' own rows, not in the frames lost above");
        return new ScenarioResult("compare", tables, checks, failed, lost, notes);
    }

    private static Side measure(String name, BenchOptions options, Target target, String path) {
        long rssBefore = settledRssKiB(target);
        ConnectScenario.Storm first;
        double rssPerConnection;
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), options.clients(), options.timeout(),
                options.uniqueIdentifiers())) {
            first = ConnectScenario.storm(generator, target, options.clients(), options.concurrency());
            int subscribed = first.outcome().connected();
            Timing.sleep(options.settle());
            long rssAfter = settledRssKiB(target);
            rssPerConnection = rssBefore < 0 || subscribed == 0 ? Double.NaN
                    : (rssAfter - rssBefore) / (double) subscribed;
        }
        target.awaitQuiet(Bench.QUIET_LIMIT);
        Round warm = stormAndFanout(options, target, path);
        return new Side(name, first, warm.storm(), rssPerConnection, warm.delivery(),
                RpcScenario.steps(options, target, rpcClients(options)));
    }

    /**
     * A storm of {@code --clients} on a warm server, then the fan-out to them; returns once their Disconnects are
     * made (the server quiet again).
     */
    private static Round stormAndFanout(BenchOptions options, Target target, String path) {
        Round round;
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), options.clients(), options.timeout(),
                options.uniqueIdentifiers())) {
            ConnectScenario.Storm storm = ConnectScenario.storm(generator, target, options.clients(),
                    options.concurrency());
            // As after the first storm: the fan-out starts on a settled server (a JVM collected fully).
            Timing.sleep(options.settle());
            settledRssKiB(target);
            round = new Round(storm, FanoutScenario.measure(options, target, generator, path,
                    storm.outcome().connected(), options.messages()));
        }
        target.awaitQuiet(Bench.QUIET_LIMIT);
        return round;
    }

    private static int rpcClients(BenchOptions options) {
        return Math.min(RPC_CLIENTS, options.clients());
    }

    /** RSS in KiB after a full collection when the server is a JVM the tools reach; -1 when not measured. */
    private static long settledRssKiB(Target target) {
        ProcessProbe server = target.server();
        if (server == null) {
            return -1;
        }
        server.liveHeapKiB();
        return server.rssKiB();
    }

    /** Mine over theirs for each measured figure. */
    private record Ratios(double allSubscribed, double firstConnectCpu, double connectCpu, double p50, double p95,
                          double lastFrame, double frameCpu, double rss) {
        static Ratios of(Side mine, Side theirs) {
            RoundPair warm = new RoundPair(mine.round(), theirs.round());
            return new Ratios(mine.storm().seconds() / theirs.storm().seconds(),
                    mine.firstStorm().cpuMillisPerClient() / theirs.firstStorm().cpuMillisPerClient(),
                    warm.connectCpu(), mine.delivery().latency().p50() / theirs.delivery().latency().p50(),
                    warm.p95(), mine.delivery().lastFrames().p50() / theirs.delivery().lastFrames().p50(),
                    warm.frameCpu(), mine.rssKiBPerConnection() / theirs.rssKiBPerConnection());
        }

        /** The table row, under the measured columns. */
        Object[] row() {
            return new Object[] {"ratio jcable / other", "", "", "", allSubscribed, firstConnectCpu, connectCpu, p50,
                    p95, frameCpu, rss, ""};
        }
    }

    private static Check ratioCheck(String target, double ratio, double limit, String scale) {
        return Double.isNaN(ratio) || Double.isInfinite(ratio)
                ? Check.notMeasured(target, "not measured on both servers")
                : Check.judged(target, Table.cell(ratio) + "×", ratio <= limit, scale);
    }
}
