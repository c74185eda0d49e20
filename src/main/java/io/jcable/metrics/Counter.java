package io.jcable.metrics;

/** A monotonically increasing count (a Prometheus counter without labels). */
public final class Counter {
    private final io.prometheus.metrics.core.metrics.Counter counter;

    Counter(io.prometheus.metrics.core.metrics.Counter counter) {
        this.counter = counter;
    }

    public void inc() {
        counter.inc(1L);
    }

    public void add(long delta) {
        counter.inc(delta);
    }

    public long get() {
        return counter.getLongValue();
    }
}
