package io.jcable.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the frames of one measured run and records their latency. Every payload of a run is
 * {@code {"action":<action>,"run":<id>,"seq":<n>,"t":<System.nanoTime() at send>, ...}}: the publisher and the
 * clients live in this process, so send and receipt times share one clock. Frames of other runs are ignored.
 */
final class RunProbe implements Receiver {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final String TIME = "\"t\":";
    /** Latency samples kept per run (160 MB); frames beyond it are counted, not timed. */
    private static final long MAX_SAMPLES = 20_000_000;

    private final int run = RUNS.incrementAndGet();
    private final String action;
    private final String marker;
    private final Latencies latencies;
    private final AtomicLong received = new AtomicLong();

    /**
     * @param action   the payload's action (broadcast or echo)
     * @param expected frames the run should deliver (sizes the latency buffer)
     */
    RunProbe(String action, long expected) {
        this.action = action;
        this.marker = "\"action\":\"" + action + "\",\"run\":" + run + ",";
        this.latencies = new Latencies((int) Math.min(expected, MAX_SAMPLES));
    }

    /** The JSON text of payload {@code seq} of this run, stamped now, padded with {@code padBytes} characters. */
    String payload(long seq, long sentNanos, int padBytes) {
        return "{\"action\":\"" + action + "\",\"run\":" + run + ",\"seq\":" + seq + "," + TIME + sentNanos
                + (padBytes > 0 ? ",\"pad\":\"" + "x".repeat(padBytes) + "\"}" : "}");
    }

    @Override
    public void onMessage(LoadClient client, String frame, long receivedNanos) {
        record(frame, receivedNanos);
    }

    /** Counts and times {@code frame} if it belongs to this run; returns whether it did. */
    boolean record(String frame, long receivedNanos) {
        if (!frame.contains(marker)) {
            return false;
        }
        int start = frame.indexOf(TIME) + TIME.length();
        int end = frame.charAt(start) == '-' ? start + 1 : start;
        while (end < frame.length() && Character.isDigit(frame.charAt(end))) {
            end++;
        }
        latencies.record(receivedNanos - Long.parseLong(frame, start, end, 10));
        received.incrementAndGet();
        return true;
    }

    long received() {
        return received.get();
    }

    /** Waits until {@code expected} frames arrived or {@code limit} passed; returns the frames received. */
    long await(long expected, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (received.get() < expected && System.nanoTime() < deadline) {
            Timing.sleep(Duration.ofMillis(5));
        }
        return received.get();
    }

    Latencies.Summary latency() {
        return latencies.summary();
    }
}
