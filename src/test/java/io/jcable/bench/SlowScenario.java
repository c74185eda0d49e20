package io.jcable.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import com.google.gson.JsonObject;

import io.jcable.testing.NonReadingClient;

/**
 * Slow consumers: a broadcast load on {@code all} is measured at the reading clients twice, first alone, then
 * with a share of extra clients that complete the upgrade, subscribe and never read again. Those subscribe to
 * their own stream {@code bench_slow}, which is flooded with large broadcasts at every tick, so that their
 * pending output outgrows any server limit quickly; a server that buffers them forever shows it in its RSS.
 */
final class SlowScenario {
    private static final String SLOW_ID = "slow";
    private static final String SLOW_STREAM = "bench_" + SLOW_ID;

    /** One measured phase. */
    private record Phase(String name, int readers, int slowClients, long expected, long received,
                         Latencies.Summary latency, long rssMaxKiB, double cpuSeconds, OptionalLong cutOff) {
    }

    private SlowScenario() {
    }

    static ScenarioResult run(BenchOptions options, Target target) {
        int slowCount = Math.max(1, (int) Math.round(options.clients() * options.slowPercent() / 100));
        int readers = options.clients() - slowCount;
        if (readers < 1) {
            throw new IllegalArgumentException("slow needs more clients than non-reading ones: --clients "
                    + options.clients());
        }
        String path = options.paths().stream().filter(p -> !p.equals("action")).findFirst().orElseThrow(() ->
                new IllegalArgumentException("slow floods a stream of its own: it needs path redis or http"));
        List<String> notes = new ArrayList<>();
        long failures;
        Phase before;
        Phase after;
        try (LoadGenerator generator = new LoadGenerator(target.cableUrl(), options.clients(), options.timeout(),
                options.uniqueIdentifiers());
             Publisher publisher = target.publisher(path, generator)) {
            LoadGenerator.ConnectOutcome outcome = generator.connect(readers, options.concurrency());
            failures = outcome.failed();
            outcome.failureReasons().forEach((reason, count) -> notes.add("connect failed " + count + "×: " + reason));
            int subscribed = generator.clients().size();
            before = phase("readers only", 0, options, target, generator, publisher, subscribed, null);

            List<NonReadingClient> slow = new ArrayList<>();
            try {
                String subscribe = subscribeCommand();
                for (int i = 0; i < slowCount; i++) {
                    try {
                        NonReadingClient client = NonReadingClient.connect(target.cableUrl());
                        slow.add(client);
                        client.sendText(subscribe);
                    } catch (IOException e) {
                        failures++;
                        notes.add("non-reading client " + i + " failed: " + e.getMessage());
                    }
                }
                String flood = "{\"action\":\"flood\",\"pad\":\"" + "x".repeat(options.floodBytes()) + "\"}";
                after = phase("with " + slow.size() + " non-reading", slow.size(), options, target, generator,
                        publisher, subscribed, flood);
            } finally {
                slow.forEach(NonReadingClient::close);
            }
        }

        Table table = Table.of("reading clients' delivery latency on 'all' (" + path + ", one broadcast every "
                        + options.interval().toMillis() + " ms for " + options.duration().toSeconds()
                        + " s per phase; non-reading clients get " + options.floodBytes()
                        + "-byte broadcasts at the same pace)",
                "phase", "readers", "non-reading", "frames expected", "received", "lost", "p50 ms", "p95 ms", "p99 ms",
                "max ms", "server RSS max MiB", "server CPU s", "cut off as too slow");
        for (Phase phase : List.of(before, after)) {
            table = table.withRow(phase.name(), phase.readers(), phase.slowClients(), phase.expected(),
                    phase.received(), phase.expected() - phase.received(), phase.latency().p50(), phase.latency().p95(),
                    phase.latency().p99(), phase.latency().max(),
                    phase.rssMaxKiB() < 0 ? Double.NaN : phase.rssMaxKiB() / 1024.0, phase.cpuSeconds(),
                    phase.cutOff().isPresent() ? Table.cell(phase.cutOff().getAsLong()) : "n/a");
        }
        long lost = Math.max(0, before.expected() - before.received())
                + Math.max(0, after.expected() - after.received());
        List<Check> checks = new ArrayList<>();
        checks.add(after.cutOff().isEmpty()
                ? Check.notMeasured("a client that never reads is cut off, not buffered forever", "no server metrics")
                : Check.judged("a client that never reads is cut off, not buffered forever",
                after.cutOff().getAsLong() + " of " + after.slowClients() + " cut off",
                after.cutOff().getAsLong() >= after.slowClients(), ""));
        checks.add(Check.judged("reading clients lose nothing", lost + " lost", lost == 0, ""));
        checks.add(Check.info("reading clients' p99 stays flat", Table.cell(before.latency().p99()) + " ms → "
                + Table.cell(after.latency().p99()) + " ms"));
        if (before.rssMaxKiB() >= 0) {
            checks.add(Check.info("server RSS stays bounded", Table.cell(before.rssMaxKiB() / 1024.0) + " MiB → "
                    + Table.cell(after.rssMaxKiB() / 1024.0) + " MiB (max during each phase)"));
        }
        return new ScenarioResult("slow", List.of(table), checks, failures, lost, notes);
    }

    private static Phase phase(String name, int slowClients, BenchOptions options, Target target,
                               LoadGenerator generator, Publisher publisher, int readers, String flood) {
        long ticks = ticks(options);
        long expected = readers * ticks;
        RunProbe probe = new RunProbe("broadcast", expected);
        OptionalLong cutBefore = target.metric("disconnected_slow_clients_total");
        long rssMax = target.rssKiB();
        long received;
        double cpu;
        generator.receiver(probe);
        try {
            double cpuBefore = target.cpuSeconds();
            long start = System.nanoTime();
            for (long tick = 0; tick < ticks; tick++) {
                Timing.sleepUntil(start + tick * options.interval().toNanos());
                publisher.publish("all", probe.payload(tick, System.nanoTime(), options.padBytes()));
                if (flood != null) {
                    publisher.publish(SLOW_STREAM, flood);
                }
                rssMax = Math.max(rssMax, target.rssKiB());
            }
            received = probe.await(expected, FanoutScenario.drainLimit(expected));
            cpu = target.cpuSeconds() - cpuBefore;
            rssMax = Math.max(rssMax, target.rssKiB());
        } finally {
            generator.receiver(Receiver.IGNORE);
        }
        OptionalLong cutAfter = target.metric("disconnected_slow_clients_total");
        OptionalLong cutOff = cutBefore.isPresent() && cutAfter.isPresent()
                ? OptionalLong.of(cutAfter.getAsLong() - cutBefore.getAsLong()) : OptionalLong.empty();
        return new Phase(name, readers, slowClients, expected, received, probe.latency(), rssMax, cpu, cutOff);
    }

    private static long ticks(BenchOptions options) {
        return Math.max(1, options.duration().toNanos() / options.interval().toNanos());
    }

    private static String subscribeCommand() {
        JsonObject command = new JsonObject();
        command.addProperty("command", "subscribe");
        command.addProperty("identifier", LoadClient.identifier(SLOW_ID));
        return command.toString();
    }
}
