package io.jcable.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * The load generator's own garbage collections. Its pauses stop every client's reader, so a pause during a
 * measured run lands in the latencies as if the server were slow: a young collection of a generator holding
 * 10,000 clients took ~300 ms on the benchmark VM, a whole slow broadcast, i.e. 5 % of the frames of 20.
 */
final class GeneratorGc {
    private GeneratorGc() {
    }

    /**
     * Collects now, so that a measured run starts with an empty young generation: with the young generation
     * {@code scripts/bench} gives this JVM, a run's garbage then fits and none of its pauses falls in the run.
     */
    static void collect() {
        System.gc();
    }

    /** Time this JVM's collectors have spent so far, in seconds (the serial collector's are all pauses). */
    static double seconds() {
        long millis = 0;
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            millis += Math.max(0, collector.getCollectionTime());
        }
        return millis / 1e3;
    }
}
