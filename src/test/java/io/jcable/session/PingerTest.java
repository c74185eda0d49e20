package io.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.config.PingPrecision;
import io.jcable.protocol.DisconnectReason;
import io.jcable.rpc.RequestEnv;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class PingerTest {
    private static final long TICK_MS = Pinger.TICK.toMillis();
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);

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

    @Test
    void anIntervalLongerThanOneTurnOfTheWheelPingsOncePerIntervalNotOncePerTurn() {
        Pinger pinger = new Pinger(CLOCK, new WriteWatch(), Duration.ofSeconds(3), Duration.ZERO);
        Duration interval = Duration.ofSeconds(20);
        long intervalTicks = interval.toMillis() / TICK_MS;
        assertTrue(intervalTicks > 64 * 3, "the interval must span several turns of the 64-slot wheel");
        ScriptedTransport transport = new ScriptedTransport();
        pinger.schedule(session(pinger, transport, interval));

        List<Long> pingTicks = new ArrayList<>();
        long lastTick = intervalTicks * 5;
        for (long tick = 1; tick <= lastTick; tick++) {
            pinger.tick();
            if (transport.frames.size() > pingTicks.size()) {
                pingTicks.add(tick);
            }
        }
        long first = pingTicks.getFirst();
        assertEquals(1 + (lastTick - first) / intervalTicks, pingTicks.size(), "pings at ticks " + pingTicks);
        assertTrue(first >= intervalTicks / 2 && first <= intervalTicks * 3 / 2, "first ping at tick " + first);
        for (int i = 1; i < pingTicks.size(); i++) {
            assertEquals(intervalTicks, pingTicks.get(i) - pingTicks.get(i - 1), "pings at ticks " + pingTicks);
        }
        assertEquals("{\"type\":\"ping\",\"message\":1700000000}", transport.frames.getFirst());
    }

    @Test
    void aSessionWithoutPingsGetsWebSocketPingsAndIsAbandonedWhenItAnswersNone() {
        Duration liveness = Duration.ofSeconds(1);
        Pinger pinger = new Pinger(CLOCK, new WriteWatch(), liveness, Duration.ZERO);
        ScriptedTransport answering = new ScriptedTransport();
        ScriptedTransport silent = new ScriptedTransport();
        ClientSession alive = session(pinger, answering, Duration.ZERO);
        pinger.schedule(alive);
        pinger.schedule(session(pinger, silent, Duration.ZERO));

        long ticks = liveness.toMillis() / TICK_MS * 4;
        for (long tick = 1; tick <= ticks; tick++) {
            pinger.tick();
            if (answering.pings > 0) {
                alive.touch();
            }
        }
        assertTrue(answering.pings >= 3, "pings: " + answering.pings);
        assertEquals(List.of(), answering.frames, "no protocol pings for ?pi=0");
        assertEquals(List.of(), answering.abandoned);
        assertEquals(Pinger.UNANSWERED_PINGS_LIMIT, silent.pings);
        assertEquals(List.of(DisconnectReason.NO_PONG), silent.abandoned.subList(0, 1));
        assertEquals(List.of(), silent.frames);
    }

    @Test
    void anExtendedSessionSilentForThePongTimeoutAfterAPingIsClosedWithNoPongOthersAreNot() {
        // A timeout longer than the interval: the first unanswered ping's deadline is kept across later pings.
        Pinger pinger = new Pinger(CLOCK, new WriteWatch(), Duration.ofSeconds(3), Duration.ofSeconds(2));
        ScriptedTransport answering = new ScriptedTransport();
        ScriptedTransport silent = new ScriptedTransport();
        ScriptedTransport v1Silent = new ScriptedTransport();
        ClientSession alive = session(pinger, answering, Duration.ofSeconds(1), true);
        pinger.schedule(alive);
        pinger.schedule(session(pinger, silent, Duration.ofSeconds(1), true));
        pinger.schedule(session(pinger, v1Silent, Duration.ofSeconds(1), false));
        int silentPingsAtClose = -1;
        for (int tick = 1; tick <= 100; tick++) {
            pinger.tick();
            if (!answering.frames.isEmpty()) {
                alive.touch();
            }
            if (silentPingsAtClose < 0 && !silent.abandoned.isEmpty()) {
                silentPingsAtClose = silent.frames.size();
            }
        }
        assertEquals(List.of(), answering.abandoned);
        assertTrue(answering.frames.size() >= 8, "pings: " + answering.frames.size());
        assertEquals(List.of(DisconnectReason.NO_PONG), silent.abandoned.subList(0, 1));
        // closed 2 s after its first ping, before its third goes out
        assertEquals(2, silentPingsAtClose);
        assertEquals(List.of(), v1Silent.abandoned);
    }

    @Test
    void aPingDueInTheLastThirdOfTheIntervalGoesAlongAFrameAndTheTimerThenWaitsAWholeIntervalAfterIt() {
        Pinger pinger = new Pinger(CLOCK, new WriteWatch(), Duration.ofSeconds(3), Duration.ZERO);
        ScriptedTransport transport = oneWriteBatches();
        ClientSession session = session(pinger, transport, Duration.ofSeconds(3));
        pinger.schedule(session);
        long interval = Duration.ofSeconds(3).toMillis() / TICK_MS;
        long gap = interval - interval / 3;
        String ping = "{\"type\":\"ping\",\"message\":1700000000}";

        session.deliver("before the first ping");
        assertEquals(List.of("before the first ping"), transport.frames, "the first ping never goes early");
        tickUntil(pinger, transport, 2);
        assertEquals(ping, transport.frames.getLast(), "the first ping, from the timer");

        tick(pinger, gap - 1);
        session.deliver("too early");
        assertEquals("too early", transport.frames.getLast());
        tick(pinger, 1);
        session.deliver("along");
        session.deliver("just after");
        assertEquals(List.of(List.of(ping, "along")), transport.batches, "the ping goes in the frame's write, once");
        assertEquals("just after", transport.frames.getLast());

        int framesAfterTheEarlyPing = transport.frames.size();
        tick(pinger, interval - 1);
        assertEquals(framesAfterTheEarlyPing, transport.frames.size(), "the timer pinged although a ping went along");
        tick(pinger, 1);
        assertEquals(framesAfterTheEarlyPing + 1, transport.frames.size(), "no ping an interval after the early one");
        assertEquals(ping, transport.frames.getLast());
    }

    @Test
    void noPingGoesAlongWhereABatchCostsMoreOrThePingerAloneKeepsTheSchedule() {
        Pinger pinger = new Pinger(CLOCK, new WriteWatch(), Duration.ofSeconds(3), Duration.ofSeconds(5));
        ScriptedTransport twoWrites = new ScriptedTransport();
        ScriptedTransport extended = oneWriteBatches();
        ScriptedTransport shortInterval = oneWriteBatches();
        ScriptedTransport noPings = oneWriteBatches();
        List<ClientSession> sessions = List.of(session(pinger, twoWrites, Duration.ofSeconds(3)),
                session(pinger, extended, Duration.ofSeconds(3), true),
                session(pinger, shortInterval, Duration.ofSeconds(2)),
                session(pinger, noPings, Duration.ZERO));
        sessions.forEach(pinger::schedule);
        for (int tick = 1; tick <= 200; tick++) {
            pinger.tick();
            sessions.forEach(session -> session.deliver("frame"));
        }
        for (ScriptedTransport transport : List.of(twoWrites, extended, shortInterval, noPings)) {
            assertEquals(List.of(), transport.batches);
        }
        assertEquals(0, Pinger.pingAlongGapTicks(sessions.get(2)), "a 2 s interval leaves less than 2 s");
        assertTrue(twoWrites.frames.size() > 200, "the timer still pings: " + twoWrites.frames.size());
        assertTrue(noPings.pings > 0, "WebSocket pings for ?pi=0");
    }

    private static ClientSession session(Pinger pinger, Transport transport, Duration pingInterval) {
        return session(pinger, transport, pingInterval, false);
    }

    private static ClientSession session(Pinger pinger, Transport transport, Duration pingInterval,
                                         boolean extended) {
        Handshake handshake = new Handshake(new RequestEnv("http://localhost/cable", Map.of()), pingInterval,
                PingPrecision.S, null, null, extended, null);
        return new ClientSession(1, "sid-" + System.identityHashCode(transport), handshake, transport,
                Runnable::run, pinger);
    }

    /** A transport that writes a batch at the cost of one frame, as Jetty's does. */
    private static ScriptedTransport oneWriteBatches() {
        ScriptedTransport transport = new ScriptedTransport();
        transport.oneWriteBatches = true;
        return transport;
    }

    /** Ticks until the transport got {@code frames} frames; returns how many ticks that took. */
    private static long tickUntil(Pinger pinger, ScriptedTransport transport, int frames) {
        for (long ticks = 1; ticks <= 1_000; ticks++) {
            pinger.tick();
            if (transport.frames.size() >= frames) {
                return ticks;
            }
        }
        throw new AssertionError("no frame " + frames + " in 1,000 ticks: " + transport.frames);
    }

    private static void tick(Pinger pinger, long ticks) {
        for (long i = 0; i < ticks; i++) {
            pinger.tick();
        }
    }
}
