package io.jcable.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class RunProbeTest {
    /** A broadcast frame as a subscriber gets it: the payload embedded as the message. */
    private static String frame(RunProbe probe, long seq, long sentNanos) {
        return "{\"identifier\":\"{\\\"channel\\\":\\\"BenchmarkChannel\\\"}\",\"message\":"
                + probe.payload(seq, sentNanos, 3) + "}";
    }

    @Test
    void keepsTheLatencyOfEachBroadcastsLastFrame() {
        RunProbe probe = new RunProbe("broadcast", 5, 3);
        probe.record(frame(probe, 0, 1_000_000), 3_000_000);
        probe.record(frame(probe, 0, 1_000_000), 9_000_000);
        probe.record(frame(probe, 0, 1_000_000), 5_000_000);
        probe.record(frame(probe, 1, 20_000_000), 24_000_000);
        probe.record(frame(probe, 1, 20_000_000), 22_000_000);

        Latencies.Summary lastFrames = probe.lastFrames();
        assertEquals(2, lastFrames.count(), "seq 2 never arrived");
        assertEquals(4.0, lastFrames.p50());
        assertEquals(8.0, lastFrames.max());
        assertEquals(5, probe.received());
        assertEquals(8.0, probe.latency().max());
    }

    @Test
    void ignoresOtherRunsAndPayloadsBeyondItsCount() {
        RunProbe probe = new RunProbe("broadcast", 2, 1);
        RunProbe other = new RunProbe("broadcast", 1, 1);
        assertFalse(probe.record(frame(other, 0, 0), 7_000_000));
        probe.record(frame(probe, 5, 0), 6_000_000);

        assertEquals(1, probe.received());
        assertEquals(0, probe.lastFrames().count());
    }
}
