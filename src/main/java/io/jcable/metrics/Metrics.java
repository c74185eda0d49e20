package io.jcable.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The web app's metrics: one Prometheus registry per deployment (never the client's default registry, which
 * would be shared by every web app of the container). Counters, gauges and histograms are named without the
 * {@code anycable_go_} prefix, which is added here; counter names end in {@code _total} (as anycable-go's do),
 * histograms measure seconds and end in {@code _seconds}. The JVM's heap, threads and GC and the process's
 * CPU, memory and file descriptors are exposed beside them under their standard names.
 */
public final class Metrics {
    public static final String PREFIX = "anycable_go_";
    /**
     * Upper bounds of every histogram, in seconds: from 100 µs (a fan-out to a few sockets, an RPC call to a
     * local app) to 10 s (beyond {@code ANYCABLE_RPC_COMMAND_TIMEOUT}'s default of 3 s).
     */
    static final double[] DURATION_BUCKETS =
            {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter textFormat = PrometheusTextFormatWriter.create();
    private final Labels tags;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();
    private final Map<String, io.prometheus.metrics.core.metrics.Histogram> histograms = new ConcurrentHashMap<>();

    /** Metrics without constant labels. */
    public Metrics() {
        this(Map.of());
    }

    /** @param tags constant labels of every metric ({@code ANYCABLE_METRICS_TAGS}); names must be valid labels */
    public Metrics(Map<String, String> tags) {
        Labels.Builder labels = Labels.builder();
        tags.forEach(labels::label);
        this.tags = labels.build();
        JvmMemoryMetrics.builder().constLabels(this.tags).register(registry);
        JvmThreadsMetrics.builder().constLabels(this.tags).register(registry);
        JvmGarbageCollectorMetrics.builder().constLabels(this.tags).register(registry);
        ProcessMetrics.builder().constLabels(this.tags).register(registry);
    }

    /** The counter with this anycable-go name (e.g. {@code rpc_call_total}), created on first use. */
    public Counter counter(String name) {
        return counters.computeIfAbsent(name, n -> new Counter(io.prometheus.metrics.core.metrics.Counter.builder()
                .name(PREFIX + n)
                .constLabels(tags)
                .withoutExemplars()
                .register(registry)));
    }

    /** Registers a gauge read on demand (e.g. {@code clients_num}); a later registration under the name replaces it. */
    public void gauge(String name, LongSupplier value) {
        if (gauges.put(name, value) == null) {
            GaugeWithCallback.builder()
                    .name(PREFIX + name)
                    .constLabels(tags)
                    .callback(callback -> callback.call(gauges.get(name).getAsLong()))
                    .register(registry);
        }
    }

    /** The histogram of durations with this name (e.g. {@code broadcast_fanout_duration_seconds}). */
    public Histogram histogram(String name) {
        return new Histogram(histogramFamily(name, new String[0]));
    }

    /**
     * One labelled series of a histogram of durations, e.g. {@code rpc_call_duration_seconds} with label
     * {@code method} = {@code Connect}. Every series of one histogram has the same label name.
     */
    public Histogram histogram(String name, String label, String value) {
        return new Histogram(histogramFamily(name, new String[] {label}).labelValues(value));
    }

    private io.prometheus.metrics.core.metrics.Histogram histogramFamily(String name, String[] labelNames) {
        return histograms.computeIfAbsent(name, n -> io.prometheus.metrics.core.metrics.Histogram.builder()
                .name(PREFIX + n)
                .labelNames(labelNames)
                .constLabels(tags)
                // Only the buckets Prometheus text shows: a native histogram would keep up to 160 more per series.
                .classicOnly()
                .classicUpperBounds(DURATION_BUCKETS)
                .withoutExemplars()
                .register(registry));
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

    /**
     * jcable's own samples as Prometheus shows them, without the prefix and the constant labels, sorted: counters
     * ({@code rpc_call_total}), gauges, and each histogram series' {@code _count} and {@code _sum}
     * ({@code rpc_call_duration_seconds_count{method="Connect"}}). Their buckets are left to Prometheus.
     */
    public SortedMap<String, Double> samples() {
        SortedMap<String, Double> samples = new TreeMap<>();
        for (MetricSnapshot metric : registry.scrape(name -> name.startsWith(PREFIX))) {
            String name = metric.getMetadata().getPrometheusName().substring(PREFIX.length());
            for (DataPointSnapshot point : metric.getDataPoints()) {
                String labels = ownLabels(point.getLabels());
                switch (point) {
                    case CounterSnapshot.CounterDataPointSnapshot counter ->
                            samples.put(name + "_total" + labels, counter.getValue());
                    case GaugeSnapshot.GaugeDataPointSnapshot gauge -> samples.put(name + labels, gauge.getValue());
                    case HistogramSnapshot.HistogramDataPointSnapshot histogram -> {
                        samples.put(name + "_count" + labels, (double) histogram.getCount());
                        samples.put(name + "_sum" + labels, histogram.getSum());
                    }
                    default -> {
                        // jcable registers no other kind under its prefix
                    }
                }
            }
        }
        return samples;
    }

    /** {@code {name="value",…}} of the labels that are not constant, or empty. */
    private String ownLabels(Labels labels) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < labels.size(); i++) {
            if (!tags.contains(labels.getName(i))) {
                out.append(out.isEmpty() ? "{" : ",").append(labels.getName(i)).append("=\"")
                        .append(labels.getValue(i)).append('"');
            }
        }
        return out.isEmpty() ? "" : out.append('}').toString();
    }

    /** The content type of {@link #writeText}. */
    public String textContentType() {
        return textFormat.getContentType();
    }

    /** Writes every metric in the Prometheus text format (0.0.4). */
    public void writeText(OutputStream out) throws IOException {
        textFormat.write(out, registry.scrape());
    }
}
