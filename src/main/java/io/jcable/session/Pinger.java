package io.jcable.session;

import io.jcable.config.PingPrecision;
import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.ServerFrames;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One timer for every session's pings (and for noticing blocked writes, and for the end of a restored session's
 * wait for its history requests). Each session keeps its own
 * schedule: the first ping after a random delay in [0.5, 1.5) × interval (so the welcome normally comes first
 * and pings of many sockets spread out), then one every interval.
 *
 * <p>Sessions sit in a timing wheel of {@link #SLOTS} slots, one per {@link #TICK}: a tick visits only the
 * sessions whose slot comes up, not every connection (a scan of all of them ten times a second was a large
 * share of the server's CPU with many idle clients; see BENCHMARKS.md). A session due more than one turn ahead
 * stays in its slot until its tick comes; a closed one is dropped when its slot is next visited. Ping frames are
 * built once per tick and precision.
 */
public final class Pinger {
    private static final Logger LOG = LoggerFactory.getLogger(Pinger.class);
    static final Duration TICK = Duration.ofMillis(100);
    /** 6.4 s per turn: the default 3 s interval never waits a whole turn. A power of two. */
    private static final int SLOTS = 64;
    /** Liveness checks in a row without a sign of life after which a session without pings is dropped. */
    static final int UNANSWERED_PINGS_LIMIT = 2;

    private final Clock clock;
    private final WriteWatch writes;
    private final Duration livenessInterval;
    /** Ticks an extended session may stay silent after a ping ({@code ANYCABLE_PONG_TIMEOUT}); 0 = no limit. */
    private final long pongTimeoutTicks;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "jcable-pinger");
        thread.setDaemon(true);
        return thread;
    });

    private final ReentrantLock lock = new ReentrantLock();
    private final List<List<ClientSession>> wheel = new ArrayList<>(SLOTS);
    /** The tick being (or last) processed; guarded by {@link #lock}. */
    private long currentTick;

    /**
     * @param livenessInterval how often a session without pings ({@code ?pi=0}) gets a WebSocket ping to prove
     *                         it is still there (the configured ping interval)
     * @param pongTimeout      how long an extended session may send nothing after a ping before it is closed
     *                         with {@code no_pong} (docs/protocol.md §6.4); zero = never
     */
    public Pinger(Clock clock, WriteWatch writes, Duration livenessInterval, Duration pongTimeout) {
        this.clock = clock;
        this.writes = writes;
        this.livenessInterval = livenessInterval;
        this.pongTimeoutTicks = pongTimeout.isZero() ? 0 : intervalTicks(pongTimeout);
        for (int i = 0; i < SLOTS; i++) {
            wheel.add(new ArrayList<>());
        }
    }

    public void start() {
        timer.scheduleAtFixedRate(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void stop() {
        timer.shutdownNow();
    }

    /**
     * Starts a new session's pings. A session that asked for none ({@code ?pi=0}) is still checked for liveness
     * with WebSocket pings, invisible to the protocol, at the configured interval: without any traffic a peer that
     * vanished without closing would be held forever.
     */
    void schedule(ClientSession session) {
        long delay = firstPingDelayTicks(interval(session.handshake()));
        lock.lock();
        try {
            session.pingTick = currentTick + delay;
            slot(wakeTick(session)).add(session);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code task} once, after {@code delay}, on the timer's thread (so only quick work that never blocks);
     * at once when the timer has stopped.
     */
    void later(Duration delay, Runnable task) {
        try {
            timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            task.run();
        }
    }

    /**
     * Ticks until the first ping of a new session, uniform over the whole ticks that keep the first ping inside
     * [0.5, 1.5) × interval after the session starts: it starts between two ticks, so its {@code d}-th tick
     * comes more than {@code d - 1} and at most {@code d} ticks later.
     */
    static long firstPingDelayTicks(Duration interval) {
        long tick = TICK.toNanos();
        long earliest = Math.ceilDiv(interval.toNanos() / 2, tick) + 1;
        long latest = Math.max(earliest, interval.toNanos() * 3 / 2 / tick);
        return ThreadLocalRandom.current().nextLong(earliest, latest + 1);
    }

    private Duration interval(Handshake handshake) {
        return handshake.pingInterval().isZero() ? livenessInterval : handshake.pingInterval();
    }

    static long intervalTicks(Duration interval) {
        return Math.max(1, interval.toNanos() / TICK.toNanos());
    }

    /** The next tick the session needs a visit: its next ping, or its pong deadline if that comes first. */
    private static long wakeTick(ClientSession session) {
        return session.pongDeadlineTick > 0 ? Math.min(session.pingTick, session.pongDeadlineTick) : session.pingTick;
    }

    private List<ClientSession> slot(long tick) {
        return wheel.get((int) (tick & (SLOTS - 1)));
    }

    void tick() {
        try {
            writes.check(System.nanoTime());
            pingDueSessions();
        } catch (RuntimeException e) {
            // An exception would cancel the periodic task and silently stop every ping.
            LOG.error("Ping tick failed", e);
        }
    }

    /**
     * A session without pings: closed with {@code no_pong} when it sent nothing (not even the pong every
     * WebSocket client owes) through {@link #UNANSWERED_PINGS_LIMIT} checks in a row, else pinged again. One
     * late pong (a busy client, a slow network) is not enough to drop it.
     */
    private void checkLiveness(ClientSession session) {
        if (session.heardFrom) {
            session.unansweredPings = 0;
        } else if (session.awaitingPong) {
            session.unansweredPings++;
        }
        if (session.unansweredPings >= UNANSWERED_PINGS_LIMIT) {
            LOG.info("sid={} answered no WebSocket ping in {} s: closing", session.sid(),
                    livenessInterval.toSeconds() * UNANSWERED_PINGS_LIMIT);
            session.transport().abandon(DisconnectReason.NO_PONG);
            return;
        }
        session.heardFrom = false;
        session.awaitingPong = true;
        session.transport().ping();
    }

    private void pingDueSessions() {
        long tick;
        List<ClientSession> visited;
        lock.lock();
        try {
            tick = ++currentTick;
            int index = (int) (tick & (SLOTS - 1));
            visited = wheel.get(index);
            if (visited.isEmpty()) {
                return;
            }
            wheel.set(index, new ArrayList<>(visited.size()));
        } finally {
            lock.unlock();
        }
        Map<PingPrecision, String> frames = new EnumMap<>(PingPrecision.class);
        List<ClientSession> kept = new ArrayList<>(visited.size());
        for (ClientSession session : visited) {
            if (session.isClosed()) {
                continue;
            }
            if (session.pongDeadlineTick > 0 && session.pongDeadlineTick <= tick) {
                if (!session.heardFrom) {
                    LOG.info("sid={} sent nothing within the pong timeout: closing", session.sid());
                    session.transport().abandon(DisconnectReason.NO_PONG);
                    continue;
                }
                session.pongDeadlineTick = 0;
            }
            kept.add(session);
            if (session.pingTick > tick) {
                continue;
            }
            Handshake handshake = session.handshake();
            session.pingTick = tick + intervalTicks(interval(handshake));
            if (handshake.pingInterval().isZero()) {
                checkLiveness(session);
                continue;
            }
            String frame = frames.computeIfAbsent(handshake.pingPrecision(),
                    precision -> ServerFrames.ping(precision.timestamp(clock.instant())));
            // Armed before the ping goes out, so a quick answer is not lost; a deadline still running (a timeout
            // longer than the interval) is kept until the client is heard.
            if (pongTimeoutTicks > 0 && handshake.extended()
                    && (session.pongDeadlineTick == 0 || session.heardFrom)) {
                session.heardFrom = false;
                session.pongDeadlineTick = tick + pongTimeoutTicks;
            }
            session.deliver(frame);
        }
        lock.lock();
        try {
            for (ClientSession session : kept) {
                slot(wakeTick(session)).add(session);
            }
        } finally {
            lock.unlock();
        }
    }
}
