package io.jcable.metrics;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;

/** Durations observed into fixed buckets (one series of a Prometheus histogram, in seconds). */
public final class Histogram {
    private static final double NANOS_PER_SECOND = 1e9;

    private final DistributionDataPoint series;

    Histogram(DistributionDataPoint series) {
        this.series = series;
    }

    /** Records a duration measured with {@link System#nanoTime()}. */
    public void observeNanos(long nanos) {
        series.observe(nanos / NANOS_PER_SECOND);
    }

    /** Observations so far. */
    public long count() {
        return series.getCount();
    }
}
