package io.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class PingerTest {
    private static final long TICK_MS = Pinger.TICK.toMillis();

    @Test
    void firstPingLandsInsideHalfToOneAndAHalfIntervalsWhateverTheTickPhase() {
        for (Duration interval : List.of(Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofMillis(450))) {
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < 5_000; i++) {
                long ticks = Pinger.firstPingDelayTicks(interval);
                seen.add(ticks);
                // A session starts between two ticks: its first ping comes after more than (ticks - 1) and at
                // most (ticks) tick periods.
                assertTrue((ticks - 1) * TICK_MS >= interval.toMillis() / 2, interval + ": " + ticks + " ticks");
                assertTrue(ticks * TICK_MS <= interval.toMillis() * 3 / 2, interval + ": " + ticks + " ticks");
            }
            assertTrue(seen.size() > 1 || interval.toMillis() < 10 * TICK_MS, "first pings must spread out");
        }
        assertEquals(30, Pinger.intervalTicks(Duration.ofSeconds(3)));
    }

    @Test
    void writeWatchKeepsATransportUntilItsWriteIsDone() {
        WriteWatch watch = new WriteWatch();
        ScriptedTransport transport = new ScriptedTransport(true, true, false);
        watch.watch(transport);
        watch.check(1);
        watch.check(2);
        watch.check(3);
        watch.check(4);
        assertEquals(List.of(1L, 2L, 3L), transport.checkedAt);
    }

    /** Answers checkWrite from a script: true while its write is "in progress". */
    private static final class ScriptedTransport implements Transport {
        private final Deque<Boolean> answers = new ArrayDeque<>();
        private final List<Long> checkedAt = new ArrayList<>();

        ScriptedTransport(Boolean... answers) {
            this.answers.addAll(List.of(answers));
        }

        @Override
        public void send(String frame) {
        }

        @Override
        public void close(int code, String reason) {
        }

        @Override
        public CompletionStage<Void> whenClosed() {
            return new CompletableFuture<>();
        }

        @Override
        public boolean checkWrite(long nowNanos) {
            checkedAt.add(nowNanos);
            return answers.removeFirst();
        }
    }
}
