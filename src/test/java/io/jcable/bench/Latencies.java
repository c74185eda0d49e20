package io.jcable.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latency samples in nanoseconds, recorded from any thread into a fixed-size array (no allocation per sample);
 * samples beyond the capacity are counted but not kept.
 */
final class Latencies {
    /** Nearest-rank percentiles in milliseconds over {@code count} samples. */
    record Summary(int count, double p50, double p95, double p99, double max) {
        static final Summary EMPTY = new Summary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    private final long[] samples;
    private final AtomicInteger recorded = new AtomicInteger();

    Latencies(int capacity) {
        samples = new long[capacity];
    }

    void record(long nanos) {
        int slot = recorded.getAndIncrement();
        if (slot < samples.length) {
            samples[slot] = nanos;
        }
    }

    Summary summary() {
        int size = Math.min(recorded.get(), samples.length);
        if (size == 0) {
            return Summary.EMPTY;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        return new Summary(size, millis(sorted, 0.50), millis(sorted, 0.95), millis(sorted, 0.99),
                sorted[size - 1] / 1e6);
    }

    private static double millis(long[] sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
