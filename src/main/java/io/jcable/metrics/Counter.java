package io.jcable.metrics;

import java.util.concurrent.atomic.LongAdder;

/** A monotonically increasing count. */
public final class Counter {
    private final LongAdder value = new LongAdder();

    public void inc() {
        value.increment();
    }

    public void add(long delta) {
        value.add(delta);
    }

    public long get() {
        return value.sum();
    }
}
