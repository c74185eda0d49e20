package io.jcable.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts the frames of one measured run and records their latency. Every payload of a run is
 * {@code {"action":<action>,"run":<id>,"seq":<n>,"t":<System.nanoTime() at send>, ...}}: the publisher and the
 * clients live in this process, so send and receipt times share one clock. Frames of other runs are ignored.
 */
final class RunProbe implements Receiver {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final String TIME = "\"t\":";
    private static final String SEQ = "\"seq\":";
    /** Latency samples kept per run (160 MB); frames beyond it are counted, not timed. */
    private static final long MAX_SAMPLES = 20_000_000;

    private final int run = RUNS.incrementAndGet();
    private final String action;
    private final String marker;
    private final Latencies latencies;
    private final AtomicLong received = new AtomicLong();
    /** Per payload seq below its length, the latency of its latest frame so far (0: none yet). */
    private final AtomicLongArray lastFrames;

    /**
     * @param action   the payload's action (broadcast or echo)
     * @param expected frames the run should deliver (sizes the latency buffer)
     */
    RunProbe(String action, long expected) {
        this(action, expected, 0);
    }

    /**
     * As {@link #RunProbe(String, long)}, also keeping the latency of the last frame of each payload whose seq is
     * below {@code payloads}: for a broadcast, when its last subscriber got it.
     */
    RunProbe(String action, long expected, int payloads) {
        this.action = action;
        this.marker = "\"action\":\"" + action + "\",\"run\":" + run + ",";
        this.latencies = new Latencies((int) Math.min(expected, MAX_SAMPLES));
        this.lastFrames = new AtomicLongArray(payloads);
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
        int at = frame.indexOf(marker);
        if (at < 0) {
            return false;
        }
        long latency = receivedNanos - number(frame, frame.indexOf(TIME, at) + TIME.length());
        latencies.record(latency);
        if (lastFrames.length() > 0 && frame.startsWith(SEQ, at + marker.length())) {
            long seq = number(frame, at + marker.length() + SEQ.length());
            if (seq >= 0 && seq < lastFrames.length()) {
                lastFrames.accumulateAndGet((int) seq, latency, Math::max);
            }
        }
        received.incrementAndGet();
        return true;
    }

    /** The integer that starts at {@code start} in {@code frame}. */
    private static long number(String frame, int start) {
        int end = frame.charAt(start) == '-' ? start + 1 : start;
        while (end < frame.length() && Character.isDigit(frame.charAt(end))) {
            end++;
        }
        return Long.parseLong(frame, start, end, 10);
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

    /**
     * Over the payloads that arrived (seq below the constructor's {@code payloads}), the latency of each one's last
     * frame: for a fan-out, how long a broadcast took to reach all its subscribers.
     */
    Latencies.Summary lastFrames() {
        Latencies perPayload = new Latencies(lastFrames.length());
        for (int seq = 0; seq < lastFrames.length(); seq++) {
            long latency = lastFrames.get(seq);
            if (latency > 0) {
                perPayload.record(latency);
            }
        }
        return perPayload.summary();
    }
}
