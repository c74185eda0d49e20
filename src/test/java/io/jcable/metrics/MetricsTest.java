package io.jcable.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The registry and its Prometheus text, without a server: names, histogram buckets, constant labels. */
class MetricsTest {
    @Test
    void countersAndGaugesKeepTheirAnycableGoNames() throws IOException {
        Metrics metrics = new Metrics();
        metrics.counter("rpc_call_total").inc();
        metrics.counter("data_sent_total").add(42);
        metrics.gauge("clients_num", () -> 3);

        List<String> lines = text(metrics);
        assertTrue(lines.contains("# TYPE anycable_go_rpc_call_total counter"), String.join("\n", lines));
        assertTrue(lines.contains("anycable_go_rpc_call_total 1.0"), String.join("\n", lines));
        assertTrue(lines.contains("anycable_go_data_sent_total 42.0"), String.join("\n", lines));
        assertTrue(lines.contains("# TYPE anycable_go_clients_num gauge"), String.join("\n", lines));
        assertTrue(lines.contains("anycable_go_clients_num 3.0"), String.join("\n", lines));
        assertEquals(42, metrics.value("data_sent_total"));
        assertEquals(3, metrics.value("clients_num"));
    }

    @Test
    void aGaugeRegisteredAgainIsReadFromItsNewSupplier() throws IOException {
        Metrics metrics = new Metrics();
        metrics.gauge("disconnect_queue_size", () -> 1);
        metrics.gauge("disconnect_queue_size", () -> 7);

        assertTrue(text(metrics).contains("anycable_go_disconnect_queue_size 7.0"));
        assertEquals(7, metrics.value("disconnect_queue_size"));
    }

    @Test
    void histogramBucketsCountEachObservationAtAndAboveItsBound() throws IOException {
        Metrics metrics = new Metrics();
        Histogram connect = metrics.histogram("rpc_call_duration_seconds", "method", "Connect");
        metrics.histogram("rpc_call_duration_seconds", "method", "Command");
        assertTrue(text(metrics).contains(
                "anycable_go_rpc_call_duration_seconds_bucket{method=\"Connect\",le=\"+Inf\"} 0"));

        connect.observeNanos(2_000_000);

        List<String> lines = text(metrics);
        String prefix = "anycable_go_rpc_call_duration_seconds_bucket{method=\"Connect\",le=\"";
        assertTrue(lines.contains(prefix + "0.001\"} 0"), String.join("\n", lines));
        assertTrue(lines.contains(prefix + "0.0025\"} 1"), String.join("\n", lines));
        assertTrue(lines.contains(prefix + "10.0\"} 1"), String.join("\n", lines));
        assertTrue(lines.contains(prefix + "+Inf\"} 1"), String.join("\n", lines));
        assertTrue(lines.contains("anycable_go_rpc_call_duration_seconds_count{method=\"Connect\"} 1"));
        assertTrue(lines.contains("anycable_go_rpc_call_duration_seconds_sum{method=\"Connect\"} 0.002"));
        assertTrue(lines.contains("anycable_go_rpc_call_duration_seconds_count{method=\"Command\"} 0"));
        assertEquals(Metrics.DURATION_BUCKETS.length + 1,
                lines.stream().filter(line -> line.startsWith(prefix)).count(), "one line per bound and +Inf");
    }

    @Test
    void tagsAreConstantLabelsOfEveryMetricJvmOnesIncluded() throws IOException {
        Metrics metrics = new Metrics(Map.of("env", "staging", "region", "eu"));
        metrics.counter("rpc_call_total").inc();
        metrics.histogram("broadcast_fanout_duration_seconds").observeNanos(50_000);

        List<String> samples = text(metrics).stream().filter(line -> !line.startsWith("#")).toList();
        assertTrue(samples.contains("anycable_go_rpc_call_total{env=\"staging\",region=\"eu\"} 1.0"),
                String.join("\n", samples));
        assertTrue(samples.stream().allMatch(line -> line.contains("env=\"staging\"")
                && line.contains("region=\"eu\"")), String.join("\n", samples));
        assertEquals(Map.of("broadcast_fanout_duration_seconds_count", 1.0, "broadcast_fanout_duration_seconds_sum",
                5.0E-5, "rpc_call_total", 1.0), metrics.samples(), "samples leave the constant labels out");
    }

    @Test
    void jvmHeapThreadsGcAndProcessBasicsAreExposed() throws IOException {
        List<String> lines = text(new Metrics());
        for (Pattern sample : List.of(
                Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\"} [0-9.E]+"),
                Pattern.compile("jvm_threads_current [0-9.E]+"),
                Pattern.compile("jvm_gc_collection_seconds_count\\{gc=\".+\"} [0-9]+"),
                Pattern.compile("process_open_fds [0-9.E]+"))) {
            assertTrue(lines.stream().anyMatch(line -> sample.matcher(line).matches()),
                    sample + " in\n" + String.join("\n", lines));
        }
    }

    @Test
    void samplesAreWhatPrometheusShowsWithoutPrefixAndBuckets() throws IOException {
        Metrics metrics = new Metrics();
        metrics.counter("publications_total").add(5);
        metrics.gauge("broadcast_streams_num", () -> 2);
        metrics.histogram("rpc_call_duration_seconds", "method", "Disconnect").observeNanos(1_000_000_000);

        assertEquals(Map.of(
                "publications_total", 5.0,
                "broadcast_streams_num", 2.0,
                "rpc_call_duration_seconds_count{method=\"Disconnect\"}", 1.0,
                "rpc_call_duration_seconds_sum{method=\"Disconnect\"}", 1.0), metrics.samples());
        List<String> lines = text(metrics);
        metrics.samples().forEach((name, value) -> assertTrue(
                lines.stream().anyMatch(line -> line.equals(Metrics.PREFIX + name + " " + value)
                        || line.equals(Metrics.PREFIX + name + " " + value.longValue())),
                name + " " + value + " in\n" + String.join("\n", lines)));
    }

    private static List<String> text(Metrics metrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.writeText(out);
        return Arrays.asList(out.toString(StandardCharsets.UTF_8).split("\n"));
    }
}
