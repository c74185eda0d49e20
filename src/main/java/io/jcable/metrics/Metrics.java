package io.jcable.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** The web app's metric registry: one per deployment, never a static default. */
public final class Metrics {
    public static final String PREFIX = "anycable_go_";

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

    /** The counter with this anycable-go name (e.g. {@code rpc_call_total}), created on first use. */
    public Counter counter(String name) {
        return counters.computeIfAbsent(name, n -> new Counter());
    }

    /** Registers a gauge read on demand (e.g. {@code clients_num}). */
    public void gauge(String name, LongSupplier value) {
        gauges.put(name, value);
    }

    /** Current value of a counter or gauge; 0 when unknown. */
    public long value(String name) {
        Counter counter = counters.get(name);
        if (counter != null) {
            return counter.get();
        }
        LongSupplier gauge = gauges.get(name);
        return gauge == null ? 0 : gauge.getAsLong();
    }

    /** Every metric by name, sorted. */
    public Map<String, Long> snapshot() {
        Map<String, Long> values = new TreeMap<>();
        counters.forEach((name, counter) -> values.put(name, counter.get()));
        gauges.forEach((name, gauge) -> values.put(name, gauge.getAsLong()));
        return values;
    }

    /** The Prometheus text exposition of every metric. */
    public String prometheusText() {
        StringBuilder out = new StringBuilder(2048);
        Map<String, Long> sortedCounters = new TreeMap<>();
        counters.forEach((name, counter) -> sortedCounters.put(name, counter.get()));
        sortedCounters.forEach((name, value) -> append(out, name, "counter", value));
        new TreeMap<>(gauges).forEach((name, gauge) -> append(out, name, "gauge", gauge.getAsLong()));
        return out.toString();
    }

    private static void append(StringBuilder out, String name, String type, long value) {
        out.append("# TYPE ").append(PREFIX).append(name).append(' ').append(type).append('\n')
                .append(PREFIX).append(name).append(' ').append(value).append('\n');
    }
}
