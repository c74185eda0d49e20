package io.jcable.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

import io.jcable.testing.FakeRpcApp;

/**
 * Soak: N subscribed clients churn for the duration (at a fixed rate the longest-connected client leaves and a
 * new one connects and subscribes) while a broadcast goes to {@code all} every interval. After a churn warm-up
 * and again at the end, with N clients connected and nothing in flight, the server's live heap (after a full
 * GC), RSS, OS threads and open files are read: the end must be back at the warm-up level. Every broadcast
 * published while a client was subscribed must reach it (checked per client by sequence number, up to the
 * last one published before it leaves), and every session the app saw Connect must get exactly one Disconnect.
 */
final class SoakScenario {
    private static final int TARGET_CLIENTS = 2_000;
    private static final Duration TARGET_DURATION = Duration.ofMinutes(30);
    /** Slack of the "back at the warm-up level" checks. */
    private static final double HEAP_SLACK = 0.10;
    private static final long THREADS_SLACK = 5;
    private static final long FILES_SLACK = 10;
    /** Longest wait for a client to receive what was published before it leaves, and for the server to settle. */
    private static final Duration CATCH_UP = Duration.ofSeconds(10);
    private static final Duration QUIET_LIMIT = Duration.ofSeconds(60);
    /** Connections the generator may hold beyond N: clients still closing while their replacements connect. */
    private static final int CLOSING_HEADROOM = 64;

    /** Server resources at one measurement. */
    private record Resources(String label, int clients, OptionalLong serverClients, OptionalLong liveHeapKiB,
                             long rssKiB, long threads, long openFiles) {
    }

    /**
     * What one client must receive: every broadcast from the first one published after its confirmation
     * ({@code first}) on, in order. Frames of one client arrive one at a time; the churn thread reads {@code next}.
     */
    private static final class Delivery {
        private final long first;
        private volatile long next;
        private volatile long duplicates;

        Delivery(long first) {
            this.first = first;
            this.next = first;
        }

        /** Returns the broadcasts skipped before {@code seq} (lost). */
        long receive(long seq) {
            if (seq < first) {
                return 0; // published while the subscription was on its way: may or may not arrive
            }
            if (seq < next) {
                duplicates++;
                return 0;
            }
            long skipped = seq - next;
            next = seq + 1;
            return skipped;
        }
    }

    private final BenchOptions options;
    private final Target target;
    private final RunProbe probe;
    private final LoadGenerator generator;
    private final Map<LoadClient, Delivery> deliveries = new ConcurrentHashMap<>();
    /** Subscribed clients in the order they were confirmed (added on the clients' frame threads). */
    private final Deque<LoadClient> oldestFirst = new ConcurrentLinkedDeque<>();
    /** Broadcast sequence numbers: the last whose publish started, the last whose publish returned. */
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong expected = new AtomicLong();
    private final Map<String, long[]> callsBySid = new ConcurrentHashMap<>();
    private final AtomicLong disconnectsBeforeTheSoak = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private long failures;
    private long replaced;
    private final List<String> notes = new ArrayList<>();

    private SoakScenario(BenchOptions options, Target target, LoadGenerator generator) {
        this.options = options;
        this.target = target;
        this.generator = generator;
        long broadcasts = options.duration().plus(options.warmupTime()).toNanos() / options.interval().toNanos() + 1;
        this.probe = new RunProbe("soak", broadcasts * options.clients());
    }

    static ScenarioResult run(BenchOptions options, Target target) {
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), options.clients() + CLOSING_HEADROOM,
                options.timeout(), options.uniqueIdentifiers())) {
            return new SoakScenario(options, target, generator).soak();
        }
    }

    private ScenarioResult soak() {
        boolean appWatched = target.watchAppCalls(this::countCall);
        generator.onSubscribed(client -> {
            deliveries.put(client, new Delivery(started.get() + 1));
            oldestFirst.addLast(client);
        });
        generator.receiver((client, frame, receivedNanos) -> {
            Delivery delivery = deliveries.get(client);
            if (probe.record(frame, receivedNanos) && delivery != null) {
                lost.addAndGet(delivery.receive(seq(frame)));
            }
        });
        try (Publisher publisher = target.publisher(options.paths().getFirst(), generator)) {
            connect(options.clients());
            churn(publisher, options.warmupTime());
            Resources baseline = measure("after warm-up: " + options.warmupTime().toSeconds() + " s of churn");
            long replacedBefore = replaced;
            long start = System.nanoTime();
            churn(publisher, options.duration());
            double seconds = (System.nanoTime() - start) / 1e9;
            long replacedDuring = replaced - replacedBefore;
            Resources end = measure("after the soak: " + options.duration().toSeconds() + " s more of churn");
            List<LoadClient> remaining = new ArrayList<>(oldestFirst);
            oldestFirst.clear();
            remaining.forEach(this::leave);
            awaitDisconnects(appWatched);
            return result(baseline, end, seconds, replacedDuring, appWatched);
        } finally {
            target.watchAppCalls(call -> { });
            generator.receiver(Receiver.IGNORE);
        }
    }

    /** Connects {@code count} clients (they join the churn order as they are confirmed); returns how many did. */
    private int connect(int count) {
        LoadGenerator.ConnectOutcome outcome = generator.connect(count, options.concurrency());
        failures += outcome.failed();
        outcome.failureReasons().forEach((reason, n) -> notes.add("connect failed " + n + "×: " + reason));
        return outcome.connected();
    }

    /**
     * For {@code length}: a broadcast every interval, and {@code churn-per-s} times a second the oldest client
     * leaves (once it has what was published so far) and a new one connects and subscribes. One thread does both
     * on one schedule, so a measurement never races either.
     */
    private void churn(Publisher publisher, Duration length) {
        long start = System.nanoTime();
        long end = start + length.toNanos();
        long broadcastEvery = options.interval().toNanos();
        long leaveEvery = 1_000_000_000L / options.churnPerSecond();
        long nextBroadcast = start;
        long nextLeave = start + leaveEvery;
        while (true) {
            long due = Math.min(nextBroadcast, nextLeave);
            if (due >= end) {
                break;
            }
            Timing.sleepUntil(due);
            if (nextBroadcast <= nextLeave) {
                long seq = started.incrementAndGet();
                publisher.publish("all", probe.payload(seq, System.nanoTime(), options.padBytes()));
                published.set(seq);
                nextBroadcast += broadcastEvery;
            } else {
                LoadClient oldest = oldestFirst.pollFirst();
                if (oldest != null) {
                    leave(oldest);
                }
                replaced += connect(1);
                nextLeave += leaveEvery;
            }
        }
    }

    /** The client gets what was published so far (bounded wait), its losses are counted, and it closes. */
    private void leave(LoadClient client) {
        Delivery delivery = deliveries.get(client);
        if (delivery != null) {
            long last = published.get();
            long deadline = System.nanoTime() + CATCH_UP.toNanos();
            while (delivery.next <= last && System.nanoTime() < deadline) {
                Timing.sleep(Duration.ofMillis(1));
            }
            if (delivery.next <= last) {
                lost.addAndGet(last - delivery.next + 1);
            }
            expected.addAndGet(Math.max(0, last - delivery.first + 1));
            duplicates.addAndGet(delivery.duplicates);
            deliveries.remove(client);
        }
        generator.release(client);
    }

    /** With broadcasts and churn paused: the server settles, then its resources are read. */
    private Resources measure(String label) {
        int clients = generator.clients().size();
        long deadline = System.nanoTime() + QUIET_LIMIT.toNanos();
        while ((target.metric("clients_num").orElse(clients) != clients
                || target.metric("disconnect_queue_size").orElse(0) > 0) && System.nanoTime() < deadline) {
            Timing.sleep(Duration.ofMillis(50));
        }
        Timing.sleep(options.settle());
        ProcessProbe server = target.server();
        if (server == null) {
            return new Resources(label, clients, target.metric("clients_num"), OptionalLong.empty(), -1, -1, -1);
        }
        OptionalLong heap = server.liveHeapKiB();
        return new Resources(label, clients, target.metric("clients_num"), heap, server.rssKiB(), server.threads(),
                server.openFiles());
    }

    private void countCall(FakeRpcApp.RecordedCall call) {
        switch (call.method()) {
            case "Connect" -> callsBySid.computeIfAbsent(call.sid(), sid -> new long[2])[0]++;
            case "Disconnect" -> {
                long[] calls = callsBySid.get(call.sid());
                if (calls == null) {
                    disconnectsBeforeTheSoak.incrementAndGet();
                } else {
                    calls[1]++;
                }
            }
            default -> {
                // commands do not count here
            }
        }
    }

    /** Waits (bounded) until the server is quiet and every session the app saw connect has its Disconnect. */
    private void awaitDisconnects(boolean appWatched) {
        target.awaitQuiet(QUIET_LIMIT);
        long deadline = System.nanoTime() + QUIET_LIMIT.toNanos();
        while (appWatched && withoutOneDisconnect() > 0 && System.nanoTime() < deadline) {
            Timing.sleep(Duration.ofMillis(50));
        }
    }

    private long withoutOneDisconnect() {
        return callsBySid.values().stream().filter(calls -> calls[0] != 1 || calls[1] != 1).count();
    }

    private ScenarioResult result(Resources baseline, Resources end, double seconds, long replacedDuring,
                                  boolean appWatched) {
        Table resources = Table.of("server with " + options.clients() + " subscribed clients, broadcasts and churn "
                        + "paused (settle " + options.settle().toSeconds() + " s, then a full GC)",
                "when", "clients", "server clients_num", "live heap MiB", "RSS MiB", "OS threads", "open files");
        for (Resources r : List.of(baseline, end)) {
            resources = resources.withRow(r.label(), r.clients(), r.serverClients().orElse(-1),
                    r.liveHeapKiB().isPresent() ? r.liveHeapKiB().getAsLong() / 1024.0 : Double.NaN,
                    r.rssKiB() < 0 ? Double.NaN : r.rssKiB() / 1024.0, r.threads(), r.openFiles());
        }
        long sessions = callsBySid.size();
        long connects = callsBySid.values().stream().mapToLong(calls -> calls[0]).sum();
        long disconnects = callsBySid.values().stream().mapToLong(calls -> calls[1]).sum();
        Latencies.Summary latency = probe.latency();
        Table churn = Table.of("churn and delivery (" + options.churnPerSecond() + " clients replaced per second, "
                        + "a broadcast on 'all' every " + options.interval().toMillis() + " ms)",
                "churn s", "replaced", "replaced/s", "connect failures", "broadcasts", "frames expected", "received",
                "lost", "p50 ms", "p99 ms", "max ms", "sessions", "Connect calls", "Disconnect calls",
                "sessions without exactly one Disconnect");
        churn = churn.withRow(seconds, replacedDuring, replacedDuring / seconds, failures, published.get(),
                expected.get(), probe.received(), lost.get(), latency.p50(), latency.p99(), latency.max(),
                appWatched ? sessions : -1L, appWatched ? connects : -1L, appWatched ? disconnects : -1L,
                appWatched ? withoutOneDisconnect() : -1L);

        String scale = Check.scales(Check.scale("clients", options.clients(), TARGET_CLIENTS),
                Check.scale("s of churn", options.duration().toSeconds(), TARGET_DURATION.toSeconds()));
        List<Check> checks = new ArrayList<>();
        if (baseline.liveHeapKiB().isPresent() && end.liveHeapKiB().isPresent()) {
            long before = baseline.liveHeapKiB().getAsLong();
            long after = end.liveHeapKiB().getAsLong();
            checks.add(Check.judged("live heap after GC back at its warm-up level (+10% at most)",
                    Table.cell(before / 1024.0) + " → " + Table.cell(after / 1024.0) + " MiB",
                    after <= before * (1 + HEAP_SLACK), scale));
        } else {
            checks.add(Check.notMeasured("live heap after GC back at its warm-up level", "not a JVM the tool reaches"));
        }
        if (baseline.threads() >= 0) {
            checks.add(Check.judged("OS threads back at their warm-up level (+5 at most)",
                    Table.cell(baseline.threads()) + " → " + Table.cell(end.threads()),
                    end.threads() <= baseline.threads() + THREADS_SLACK,
                    scale));
            checks.add(Check.judged("open files back at their warm-up level (+10 at most)",
                    Table.cell(baseline.openFiles()) + " → " + Table.cell(end.openFiles()),
                    end.openFiles() <= baseline.openFiles() + FILES_SLACK, scale));
            checks.add(Check.info("RSS", Table.cell(baseline.rssKiB() / 1024.0) + " → "
                    + Table.cell(end.rssKiB() / 1024.0) + " MiB"));
        } else {
            checks.add(Check.notMeasured("OS threads and open files back at their warm-up level",
                    "no server process measured (give --server-pid)"));
        }
        checks.add(Check.judged("0 lost broadcasts to connected clients", lost.get() + " lost of "
                + Table.cell(expected.get()), lost.get() == 0 && expected.get() > 0, scale));
        checks.add(appWatched
                ? Check.judged("exactly one Disconnect per Connect", withoutOneDisconnect() + " of "
                + Table.cell(sessions) + " sessions without exactly one", withoutOneDisconnect() == 0 && sessions > 0,
                scale)
                : Check.notMeasured("exactly one Disconnect per Connect", "the app of an external server is not seen"));
        if (duplicates.get() > 0) {
            notes.add(duplicates.get() + " broadcasts arrived twice at the same client");
        }
        if (disconnectsBeforeTheSoak.get() > 0) {
            notes.add(disconnectsBeforeTheSoak.get() + " Disconnect calls of sessions from before the soak ignored");
        }
        return new ScenarioResult("soak", List.of(resources, churn), checks, failures, lost.get(), notes);
    }

    /** The {@code seq} of a soak payload in {@code frame}. */
    private static long seq(String frame) {
        int start = frame.indexOf("\"seq\":") + "\"seq\":".length();
        int end = start;
        while (end < frame.length() && Character.isDigit(frame.charAt(end))) {
            end++;
        }
        return Long.parseLong(frame, start, end, 10);
    }
}
