package io.jcable.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;

/**
 * Several nodes: the single-node fan-out of N subscribers (the target, no pub/sub) against three jcable processes
 * on the Redis pub/sub with N/3 subscribers each, broadcasts POSTed to the first. All servers share the target's
 * CPUs, so the comparison is at equal CPU. Then the CPU a publication costs with one subscriber per node, in
 * both layouts (the pub/sub's overhead), and the {@code redisx} consumption rate: a fourth jcable reads a
 * stream filled beforehand. Each layout runs its fan-out twice to warm up, then once measured.
 */
final class NodesScenario {
    private static final int NODES = 3;
    private static final int WARMUP_ROUNDS = 2;
    private static final Duration IDLE_WINDOW = Duration.ofMillis(500);
    /** Publications of the overhead measurement per broadcast of {@code --messages} (5,000 with the default 50). */
    private static final int PUBLICATIONS_PER_MESSAGE = 100;
    private static final double TARGET_P95_RATIO = 1.5;
    private static final double TARGET_OVERHEAD_MICROS = 100;
    /** HTTP connections posting at once in the loaded overhead measurement. */
    private static final int LOADED_PUBLISHERS = 8;
    /** Stream entries per broadcast of {@code --messages} (100,000 with the default 50), at least 1,000. */
    private static final int REDISX_ENTRIES_PER_MESSAGE = 2_000;
    private static final double TARGET_REDISX_PER_SECOND = 20_000;
    private static final String REDISX_STREAM = "bench_redisx";

    private NodesScenario() {
    }

    /** One measured fan-out: what the clients saw and what the servers spent. */
    private record Run(long expected, long received, Latencies.Summary latency, double cpuSeconds,
                       double netCpuSeconds) {
    }

    static ScenarioResult run(BenchOptions options, Target target) {
        int clients = options.clients();
        int messages = options.messages();
        List<String> notes = new ArrayList<>();
        List<Check> checks = new ArrayList<>();
        long failed = 0;
        Table table = Table.of("fan-out of " + messages + " broadcasts on 'all' (HTTP unless said), one every "
                        + options.interval().toMillis() + " ms: one node against three on the Redis pub/sub",
                "layout", "subscribers", "frames expected", "received", "lost", "p50 ms", "p95 ms", "p99 ms",
                "max ms", "server CPU ms", "µs/frame net of idle");

        // The CPU per publication is measured first in each layout: after a fan-out phase the nodes spend
        // minutes on the Disconnect calls of thousands of closed clients.
        int publications = options.messages() * PUBLICATIONS_PER_MESSAGE;
        double singleCpu = cpuPerPublication(options, List.of(target.cableUrl()), target.broadcastUrl(),
                List.of(target.server()), publications, 1);
        double singleCpuLoaded = cpuPerPublication(options, List.of(target.cableUrl()), target.broadcastUrl(),
                List.of(target.server()), publications, LOADED_PUBLISHERS);
        Run single;
        Run singleUnthrottled;
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), clients, options.timeout(), false)) {
            failed += generator.connect(clients, options.concurrency()).failed();
            List<ProcessProbe> servers = List.of(target.server());
            Supplier<Publisher> post = () -> new Publisher.Http(target.broadcastUrl());
            warmUp(options, List.of(generator), post, servers);
            single = fanout(options, List.of(generator), post, servers, true);
            singleUnthrottled = fanout(options, List.of(generator), () -> target.publisher("redis", generator),
                    servers, true);
        }
        table = row(table, "1 node", clients, single);
        table = row(table, "1 node, through Redis", clients, singleUnthrottled);

        List<ServerProcess> cluster = new ArrayList<>();
        Run several;
        double clusterCpu;
        double clusterCpuLoaded;
        try {
            for (int i = 0; i < NODES; i++) {
                cluster.add(node(options, target, "node-" + i, "http", Map.of()));
            }
            List<URI> cableUrls = cluster.stream().map(NodesScenario::cableUrl).toList();
            URI postToFirst = URI.create("http://127.0.0.1:" + cluster.getFirst().port() + "/_broadcast");
            List<ProcessProbe> nodes = cluster.stream().map(node -> new ProcessProbe(node.pid())).toList();
            clusterCpu = cpuPerPublication(options, cableUrls, postToFirst, nodes, publications, 1);
            clusterCpuLoaded = cpuPerPublication(options, cableUrls, postToFirst, nodes, publications,
                    LOADED_PUBLISHERS);
            List<LoadGenerator> generators = new ArrayList<>();
            try {
                for (ServerProcess node : cluster) {
                    LoadGenerator generator = new LoadGenerator(cableUrl(node), clients / NODES, options.timeout(),
                            false);
                    generators.add(generator);
                    failed += generator.connect(clients / NODES, options.concurrency()).failed();
                }
                List<ProcessProbe> servers = cluster.stream().map(node -> new ProcessProbe(node.pid())).toList();
                URI postTo = URI.create("http://127.0.0.1:" + cluster.getFirst().port() + "/_broadcast");
                Supplier<Publisher> post = () -> new Publisher.Http(postTo);
                warmUp(options, generators, post, servers);
                several = fanout(options, generators, post, servers, true);
            } finally {
                generators.forEach(LoadGenerator::close);
            }
        } finally {
            cluster.forEach(ServerProcess::close);
        }
        table = row(table, NODES + " nodes", clients / NODES * NODES, several);

        long lost = lost(single) + lost(singleUnthrottled) + lost(several);
        double ratio = several.latency().p95() / single.latency().p95();
        double unthrottledRatio = several.latency().p95() / singleUnthrottled.latency().p95();
        double overheadMicros = (clusterCpuLoaded - singleCpuLoaded) * 1e6 / NODES;
        double idleOverheadMicros = (clusterCpu - singleCpu) * 1e6 / NODES;
        String scale = Check.scale("subscribers", clients, 9_000);
        checks.add(Check.judged("0 lost", lost + " lost", lost == 0, scale));
        checks.add(Check.judged("3 nodes: p95 ≤ 1.5 × the single node's", Table.cell(ratio) + " ×",
                ratio <= TARGET_P95_RATIO, scale));
        checks.add(Check.info("3 nodes: p95 against the single node's through Redis", Table.cell(unthrottledRatio)
                + " × (a POST to one node returns after its fan-out, which paces the publisher; a PUBLISH, like a "
                + "POST to a node with a pub/sub, does not)"));
        checks.add(Check.judged("pub/sub overhead per publication per node < 100 µs CPU (" + LOADED_PUBLISHERS
                        + " publishers at once)", Table.cell(overheadMicros) + " µs",
                overheadMicros < TARGET_OVERHEAD_MICROS, scale));
        checks.add(Check.info("pub/sub overhead per publication per node, one publication at a time",
                Table.cell(idleOverheadMicros) + " µs (each publication wakes three idle JVMs, twice the first)"));
        Table overhead = Table.of(publications + " HTTP broadcasts, one subscriber per node (three on the single "
                        + "node): server CPU per publication, net of idle", "layout", "one at a time µs",
                LOADED_PUBLISHERS + " publishers at once µs");
        overhead = overhead.withRow("1 node", singleCpu * 1e6, singleCpuLoaded * 1e6)
                .withRow(NODES + " nodes, all together", clusterCpu * 1e6, clusterCpuLoaded * 1e6);
        notes.add("pub/sub overhead per publication per node = (CPU of the three nodes − CPU of the single node) / 3, "
                + "with the same three frames delivered per publication: the Redis publish and receive, each node's "
                + "parse of the publication. One publication at a time, the nodes are idle between two, so the "
                + "figure is mostly what waking three JVMs costs (the first twice: the POST, then the pub/sub); "
                + "with " + LOADED_PUBLISHERS + " publishers posting at once the nodes stay busy, as under real "
                + "traffic, which is what the target judges. The fan-out table's µs/frame also differ by what "
                + "three JVMs sharing one core cost against one (caches, three collectors), which is not the "
                + "pub/sub's");

        int entries = Math.max(1_000, messages * REDISX_ENTRIES_PER_MESSAGE);
        double rate = redisxRate(options, target, entries);
        Table redisx = Table.of("redisx: " + entries + " entries added beforehand, read by one node "
                + "(published on to the Redis pub/sub, then acknowledged)", "entries", "publications/s");
        redisx = redisx.withRow(entries, rate);
        checks.add(Check.judged("redisx: ≥ 20,000 publications/s consumed by one node", Table.cell(rate) + "/s",
                rate >= TARGET_REDISX_PER_SECOND, Check.scale("entries", entries, 50 * REDISX_ENTRIES_PER_MESSAGE)));
        if (failed > 0) {
            notes.add(failed + " clients failed to connect (the frames expected count those that did)");
        }
        return new ScenarioResult("nodes", List.of(table, overhead, redisx), checks, failed, lost, notes);
    }

    private static long lost(Run run) {
        return Math.max(0, run.expected() - run.received());
    }

    private static Table row(Table table, String layout, int subscribers, Run run) {
        return table.withRow(layout, subscribers, run.expected(), run.received(),
                lost(run), run.latency().p50(), run.latency().p95(),
                run.latency().p99(), run.latency().max(), run.cpuSeconds() * 1e3,
                run.netCpuSeconds() * 1e6 / Math.max(1, run.received()));
    }

    /**
     * Server CPU seconds per publication (net of idle) for {@code publications} HTTP broadcasts posted to
     * {@code postTo} by {@code publishers} connections at once, each posting one after the other, with
     * {@code NODES} subscribers spread over the given servers, after as many unmeasured ones (the fresh nodes
     * compile the path).
     */
    private static double cpuPerPublication(BenchOptions options, List<URI> cableUrls, URI postTo,
                                            List<ProcessProbe> servers, int publications, int publishers) {
        List<LoadGenerator> generators = new ArrayList<>();
        try {
            for (URI url : cableUrls) {
                LoadGenerator generator = new LoadGenerator(url, NODES / cableUrls.size(), options.timeout(), false);
                generators.add(generator);
                generator.connect(NODES / cableUrls.size(), options.concurrency());
            }
            post(postTo, publications, publishers, seq -> "{}");
            double idle = idleCpuPerSecond(servers);
            RunProbe probe = new RunProbe("broadcast", (long) NODES * publications);
            generators.forEach(generator -> generator.receiver(probe));
            double before = cpu(servers);
            long start = System.nanoTime();
            post(postTo, publications, publishers, seq -> probe.payload(seq, System.nanoTime(), 0));
            probe.await((long) NODES * publications, FanoutScenario.drainLimit((long) NODES * publications));
            double seconds = (System.nanoTime() - start) / 1e9;
            return (cpu(servers) - before - idle * seconds) / publications;
        } finally {
            generators.forEach(LoadGenerator::close);
        }
    }

    /**
     * Posts {@code publications} broadcasts on 'all' over {@code publishers} connections, each one after the other
     * on its own thread; returns when every one was answered.
     */
    private static void post(URI postTo, int publications, int publishers, LongFunction<String> payload) {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> posted = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int first = p;
                posted.add(threads.submit(() -> {
                    try (Publisher publisher = new Publisher.Http(postTo)) {
                        for (long seq = first; seq < publications; seq += publishers) {
                            publisher.publish("all", payload.apply(seq));
                        }
                    }
                }));
            }
            for (Future<?> done : posted) {
                done.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing failed: " + e.getCause(), e.getCause());
        }
    }

    /** Unmeasured fan-outs first, so that every JVM has compiled the delivery path before the measured one. */
    private static void warmUp(BenchOptions options, List<LoadGenerator> generators, Supplier<Publisher> publishers,
                               List<ProcessProbe> servers) {
        for (int round = 0; round < WARMUP_ROUNDS; round++) {
            fanout(options, generators, publishers, servers, false);
        }
    }

    /**
     * Publishes {@code messages} broadcasts through a new publisher; every generator's clients must receive each.
     * The servers' idle CPU is measured first when {@code measured} (a warm-up run need not).
     */
    private static Run fanout(BenchOptions options, List<LoadGenerator> generators, Supplier<Publisher> publishers,
                              List<ProcessProbe> servers, boolean measured) {
        long subscribers = generators.stream().mapToLong(generator -> generator.clients().size()).sum();
        long expected = subscribers * options.messages();
        double idle = measured ? idleCpuPerSecond(servers) : 0;
        RunProbe probe = new RunProbe("broadcast", expected);
        generators.forEach(generator -> generator.receiver(probe));
        try (Publisher publisher = publishers.get()) {
            double cpuBefore = cpu(servers);
            long start = System.nanoTime();
            for (int seq = 0; seq < options.messages(); seq++) {
                Timing.sleepUntil(start + seq * options.interval().toNanos());
                publisher.publish("all", probe.payload(seq, System.nanoTime(), options.padBytes()));
            }
            long received = probe.await(expected, FanoutScenario.drainLimit(expected));
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = cpu(servers) - cpuBefore;
            return new Run(expected, received, probe.latency(), cpu, cpu - idle * seconds);
        } finally {
            generators.forEach(generator -> generator.receiver(Receiver.IGNORE));
        }
    }

    private static double cpu(List<ProcessProbe> servers) {
        return servers.stream().mapToDouble(ProcessProbe::cpuSeconds).sum();
    }

    /** The servers' idle CPU seconds per second together: the least of three half-second windows. */
    private static double idleCpuPerSecond(List<ProcessProbe> servers) {
        double least = Double.MAX_VALUE;
        for (int window = 0; window < 3; window++) {
            double before = cpu(servers);
            Timing.sleep(IDLE_WINDOW);
            least = Math.min(least, cpu(servers) - before);
        }
        return least * Duration.ofSeconds(1).toNanos() / IDLE_WINDOW.toNanos();
    }

    /** Fills a stream, starts a node reading it, and times the reading from its first to its last entry. */
    private static double redisxRate(BenchOptions options, Target target, int entries) {
        URI redis = target.redisUrl();
        try (Jedis jedis = new Jedis(redis.getHost(), redis.getPort())) {
            jedis.del(REDISX_STREAM);
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < entries; i++) {
                pipeline.xadd(REDISX_STREAM, StreamEntryID.NEW_ENTRY,
                        Map.of("payload", "{\"stream\":\"redisx_bench\",\"data\":\"{\\\"n\\\":" + i + "}\"}"));
            }
            pipeline.sync();
        }
        try (ServerProcess reader = node(options, target, "reader", "redisx", Map.of("ANYCABLE_REDISX_STREAM", REDISX_STREAM));
             MetricsReader read = new MetricsReader(URI.create("http://127.0.0.1:" + reader.port() + "/metrics"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (read.value("redisx_broadcast_msg_total") == 0 && System.nanoTime() < deadline) {
                Timing.sleep(Duration.ofMillis(1));
            }
            long first = System.nanoTime();
            long startCount = read.value("redisx_broadcast_msg_total");
            long count = startCount;
            while (count < entries && System.nanoTime() < deadline) {
                Timing.sleep(Duration.ofMillis(5));
                count = read.value("redisx_broadcast_msg_total");
            }
            double seconds = (System.nanoTime() - first) / 1e9;
            return (count - startCount) / seconds;
        }
    }

    /**
     * A jcable process of a cluster on the target's Redis and app: pub/sub over Redis, broadcasts by the given
     * adapters without a key, metrics on; {@code settings} adds or overrides {@code ANYCABLE_*} variables.
     */
    static ServerProcess node(BenchOptions options, Target target, String id, String adapters,
                              Map<String, String> settings) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ANYCABLE_RPC_HOST", target.appTarget());
        env.put("ANYCABLE_REDIS_URL", target.redisUrl().toString());
        env.put("ANYCABLE_BROADCAST_ADAPTER", adapters);
        env.put("ANYCABLE_BROADCAST_KEY", "none");
        env.put("ANYCABLE_PUBSUB", "redis");
        env.put("ANYCABLE_NODE_ID", id);
        env.put("ANYCABLE_METRICS_HTTP", "/metrics");
        env.put("ANYCABLE_SHUTDOWN_TIMEOUT", "2");
        env.putAll(settings);
        env.put("MALLOC_ARENA_MAX", System.getenv().getOrDefault("MALLOC_ARENA_MAX", TargetOptions.MALLOC_ARENAS));
        return ServerProcess.start(options.target().serverJvm(), options.target().serverCpus(), env);
    }

    static URI cableUrl(ServerProcess node) {
        return URI.create("ws://127.0.0.1:" + node.port() + "/cable");
    }
}
