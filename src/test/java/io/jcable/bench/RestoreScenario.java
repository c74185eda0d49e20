package io.jcable.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.eclipse.jetty.websocket.core.Configuration;
import org.eclipse.jetty.websocket.core.client.WebSocketCoreClient;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Session restore across nodes with the Redis broker (own target only). Two jcable processes, A and B, share the
 * target's Redis ({@code ANYCABLE_BROKER=redis}, Redis pub/sub, HTTP broadcasts). N extended clients connect to A,
 * subscribe to {@code BenchmarkChannel} and receive one broadcast on {@code all} (their position); then they lose
 * their connections at once (as when a load balancer or network path fails), A caches the N sessions in Redis, and
 * A is killed (SIGKILL). 20 broadcasts are published through B while they are away. The restore storm: every
 * client comes back to B with its sid, gets the restored welcome (no RPC) and asks {@code history} from its
 * position, as {@code @anycable/web} does; each must get exactly the 20 missed messages. The same storm without
 * restore runs first, with A still up: N other clients lose A the same way, but come back to B without their sid
 * (a Connect through the RPC) and subscribe again with {@code history} from their position, as {@code @anycable/web}
 * does when a restore fails; it too must deliver the 20 missed messages once each. Then, for reference, N fresh
 * clients connect to B through the RPC (Connect + subscribe, no history). Server CPU of B per client for each.
 * Unless the warm-up is off, an unmeasured cycle of each kind with {@code --warmup} clients runs first.
 */
final class RestoreScenario {
    private static final int TARGET_CLIENTS = 10_000;
    private static final int MISSED = 20;
    private static final Duration WAIT = Duration.ofSeconds(60);

    private RestoreScenario() {
    }

    /** One storm on node B: its outcome and B's CPU seconds. */
    private record Storm(String label, LoadGenerator.ConnectOutcome outcome, double cpu, long lost,
                         long duplicates) {
        double cpuMsPerClient() {
            return cpu * 1e3 / Math.max(1, outcome.connected());
        }
    }

    static ScenarioResult run(BenchOptions options, Target target) {
        List<String> notes = new ArrayList<>();
        int clients = options.clients();
        LoadGenerator.checkOpenFiles(clients);
        // The Disconnect calls of a cycle's closed clients must be made before the next storm is measured: at the
        // default 100/s, 10,000 of them would take longer than the wait for a quiet node.
        Map<String, String> broker = Map.of("ANYCABLE_BROKER", "redis", "ANYCABLE_DISCONNECT_RATE", "10000");
        ExecutorService frames = Executors.newVirtualThreadPerTaskExecutor();
        WebSocketCoreClient core = LoadGenerator.startCore(clients, options.timeout(), frames);
        Storm restore;
        Storm resubscribe;
        Storm fresh;
        try (ServerProcess nodeA = NodesScenario.node(options, target, "restore-a", "http", broker);
             ServerProcess nodeB = NodesScenario.node(options, target, "restore-b", "http", broker)) {
            ProcessProbe probeB = new ProcessProbe(nodeB.pid());
            if (options.warmup() > 0) {
                for (boolean withSid : List.of(true, false)) {
                    Storm warm = cycle(Math.min(options.warmup(), clients), withSid, options, target, core, nodeA,
                            nodeB, probeB, false);
                    notes.add("unmeasured cycle first: " + warm.label() + ", " + warm.outcome().connected() + " of "
                            + warm.outcome().attempted() + " came back, " + warm.lost() + " messages lost");
                    awaitQuiet(nodeB);
                }
            }
            resubscribe = cycle(clients, false, options, target, core, nodeA, nodeB, probeB, false);
            awaitQuiet(nodeB);
            restore = cycle(clients, true, options, target, core, nodeA, nodeB, probeB, true);
            awaitQuiet(nodeB);
            double before = probeB.cpuSeconds();
            try (LoadGenerator generator = new LoadGenerator(NodesScenario.cableUrl(nodeB), clients,
                    options.timeout(), false)) {
                LoadGenerator.ConnectOutcome outcome = generator.connect(clients, options.concurrency());
                fresh = new Storm("fresh: RPC Connect + subscribe, no history", outcome, probeB.cpuSeconds() - before,
                        0, 0);
            }
        } finally {
            try {
                core.stop();
            } catch (Exception e) {
                notes.add("stopping the WebSocket client failed: " + e);
            }
            frames.shutdownNow();
        }

        Table table = Table.of("storms on node B after node A is lost: " + MISSED + " missed messages each, by restore "
                        + "(sid) or by a new session (RPC Connect + subscribe with history); and a fresh storm "
                        + "without history; latency from connection start to confirm_history / "
                        + "confirm_subscription",
                "storm", "clients", "concurrency", "done", "failed", "lost", "duplicates", "wall s", "p50 ms",
                "p95 ms", "p99 ms", "max ms", "server CPU s", "server CPU ms/client");
        for (Storm storm : List.of(restore, resubscribe, fresh)) {
            LoadGenerator.ConnectOutcome outcome = storm.outcome();
            Latencies.Summary latency = outcome.latency();
            table = table.withRow(storm.label(), outcome.attempted(), options.concurrency(), outcome.connected(),
                    outcome.failed(), storm.lost(), storm.duplicates(), outcome.elapsed().toNanos() / 1e9,
                    latency.p50(), latency.p95(), latency.p99(), latency.max(), storm.cpu(), storm.cpuMsPerClient());
            outcome.failureReasons().forEach((reason, count) ->
                    notes.add(storm.label() + ": failed " + count + "×: " + reason));
        }
        String scale = Check.scales(Check.scale("clients", clients, TARGET_CLIENTS), Check.appLatency(options.target()));
        double ratio = restore.cpuMsPerClient() / resubscribe.cpuMsPerClient();
        List<Check> checks = List.of(
                Check.judged("restore storm: every client restored, 0 lost, 0 duplicates", delivery(restore),
                        clean(restore), scale),
                Check.judged("the same storm without restore: every client subscribed, 0 lost, 0 duplicates",
                        delivery(resubscribe), clean(resubscribe), scale),
                Check.judged("restore CPU per client at most 50 % of the same storm's without restore (RPC)",
                        Table.cell(ratio * 100) + " %", ratio <= 0.5, scale),
                Check.info("restore CPU per client against the fresh storm's (no history)",
                        Table.cell(restore.cpuMsPerClient() / fresh.cpuMsPerClient() * 100) + " %"));
        return new ScenarioResult("restore", List.of(table), checks,
                restore.outcome().failed() + resubscribe.outcome().failed() + fresh.outcome().failed(),
                restore.lost() + restore.duplicates() + resubscribe.lost() + resubscribe.duplicates(), notes);
    }

    private static String delivery(Storm storm) {
        return storm.outcome().failed() + " failed, " + storm.lost() + " lost, " + storm.duplicates() + " duplicates";
    }

    private static boolean clean(Storm storm) {
        return storm.outcome().failed() == 0 && storm.lost() == 0 && storm.duplicates() == 0;
    }

    /**
     * Clients subscribe on A, get one broadcast, lose their connections; A caches them (and is killed when
     * {@code killA}); {@link #MISSED} broadcasts go out through B; the clients come back to B (measured): restored
     * by their sid {@code withSid}, else through a new Connect and a subscribe with history.
     */
    private static Storm cycle(int clients, boolean withSid, BenchOptions options, Target target,
                               WebSocketCoreClient core, ServerProcess nodeA, ServerProcess nodeB, ProcessProbe probeB,
                               boolean killA) {
        Configuration.ConfigurationCustomizer configuration = new Configuration.ConfigurationCustomizer();
        configuration.setIdleTimeout(Duration.ofHours(1));
        URI urlA = NodesScenario.cableUrl(nodeA);
        URI urlB = NodesScenario.cableUrl(nodeB);
        List<ExtClient> all = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            all.add(new ExtClient());
        }
        List<ExtClient> present = new CopyOnWriteArrayList<>();
        LoadGenerator.ConnectOutcome subscribed = storm(all, options,
                client -> client.subscribe(core, urlA, options.timeout(), configuration), present);
        try (Publisher viaA = new Publisher.Http(broadcastUrl(nodeA));
             Publisher viaB = new Publisher.Http(broadcastUrl(nodeB));
             MetricsReader metricsA = new MetricsReader(URI.create("http://127.0.0.1:" + nodeA.port() + "/metrics"))) {
            viaA.publish(ExtClient.STREAM, "{\"n\":0}");
            await(() -> present.stream().allMatch(client -> client.offset() > 0),
                    "not every client got the first broadcast");
            long first = present.stream().mapToLong(ExtClient::offset).max().orElse(0);
            present.forEach(ExtClient::abort);
            await(() -> metricsA.value("clients_num") == 0, "node A never let its clients go");
            Set<String> sids = present.stream().map(ExtClient::sid).collect(Collectors.toSet());
            await(() -> cachedSessions(target, sids) == sids.size(), "node A never cached every session in Redis");
            if (killA) {
                nodeA.kill();
            }
            for (int n = 1; n <= MISSED; n++) {
                viaB.publish(ExtClient.STREAM, "{\"n\":" + n + "}");
            }
            double before = probeB.cpuSeconds();
            LoadGenerator.ConnectOutcome restored = storm(present, options, withSid
                    ? client -> client.restore(core, urlB, options.timeout(), configuration)
                    : client -> client.resubscribe(core, urlB, options.timeout(), configuration), new ArrayList<>());
            double cpu = probeB.cpuSeconds() - before;
            long lost = 0;
            long duplicates = 0;
            for (ExtClient client : present) {
                lost += client.missing(first + 1, first + MISSED);
                duplicates += client.duplicates();
            }
            present.forEach(ExtClient::close);
            // A client that never subscribed on A counts as a failed restore.
            return new Storm(withSid ? "restore: sid + history" : "no restore: RPC Connect + subscribe with history",
                    new LoadGenerator.ConnectOutcome(clients,
                    restored.connected(), restored.latency(), restored.elapsed(),
                    merged(subscribed.failureReasons(), restored.failureReasons())), cpu, lost, duplicates);
        }
    }

    /**
     * Runs {@code attempt} for every client, at most {@code --concurrency} in flight; latency to completion. The
     * clients whose attempt succeeded are added to {@code succeeded}.
     */
    private static LoadGenerator.ConnectOutcome storm(List<ExtClient> clients, BenchOptions options,
                                                      Function<ExtClient, CompletableFuture<Void>> attempt,
                                                      List<ExtClient> succeeded) {
        Semaphore permits = new Semaphore(options.concurrency());
        Latencies latencies = new Latencies(clients.size());
        CountDownLatch finished = new CountDownLatch(clients.size());
        AtomicInteger done = new AtomicInteger();
        Map<String, Integer> reasons = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        try {
            for (ExtClient client : clients) {
                permits.acquire();
                long attemptStart = System.nanoTime();
                attempt.apply(client).whenComplete((ok, failure) -> {
                    if (failure == null) {
                        latencies.record(System.nanoTime() - attemptStart);
                        done.incrementAndGet();
                        succeeded.add(client);
                    } else {
                        reasons.merge(LoadGenerator.reason(failure), 1, Integer::sum);
                        client.abort();
                    }
                    permits.release();
                    finished.countDown();
                });
            }
            finished.await(options.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return new LoadGenerator.ConnectOutcome(clients.size(), done.get(), latencies.summary(),
                Duration.ofNanos(System.nanoTime() - start), Map.copyOf(reasons));
    }

    private static Map<String, Integer> merged(Map<String, Integer> onA, Map<String, Integer> onB) {
        Map<String, Integer> all = new TreeMap<>();
        onA.forEach((reason, count) -> all.merge("subscribing on node A: " + reason, count, Integer::sum));
        onB.forEach((reason, count) -> all.merge("restoring on node B: " + reason, count, Integer::sum));
        return all;
    }

    private static URI broadcastUrl(ServerProcess node) {
        return URI.create("http://127.0.0.1:" + node.port() + "/_broadcast");
    }

    /**
     * How many of {@code sids} have a session snapshot in Redis ({@code $jc:session:<sid>}). Only theirs: those of
     * earlier cycles expire meanwhile.
     */
    private static long cachedSessions(Target target, Set<String> sids) {
        URI redis = target.redisUrl();
        try (Jedis jedis = new Jedis(redis.getHost(), redis.getPort(),
                DefaultJedisClientConfig.builder().autoNegotiateProtocol(false).build())) {
            long count = 0;
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams match = new ScanParams().match("$jc:session:*").count(1_000);
            do {
                ScanResult<String> page = jedis.scan(cursor, match);
                count += page.getResult().stream()
                        .filter(key -> sids.contains(key.substring("$jc:session:".length()))).count();
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return count;
        }
    }

    /** Waits until node B counts no clients and no queued Disconnect calls (bounded). */
    private static void awaitQuiet(ServerProcess node) {
        try (MetricsReader metrics = new MetricsReader(URI.create("http://127.0.0.1:" + node.port() + "/metrics"))) {
            await(() -> metrics.value("clients_num") == 0 && metrics.value("disconnect_queue_size") == 0,
                    "node B never went quiet");
        }
    }

    private static void await(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(failure);
            }
            Timing.sleep(Duration.ofMillis(50));
        }
    }
}
