package io.jcable.session;

import io.jcable.config.PingPrecision;
import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.ServerFrames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 *
 * <p>A ping may also go early, along another frame ({@link #pingAlong}): where the transport writes two frames in
 * one socket write ({@link Transport#batchesInOneWrite}), a session that gets a frame in the last third of its
 * interval gets its ping in the same write, and its next ping is due an interval after that one. Under steady
 * broadcasts most pings then cost no write of their own (a write is most of what a frame costs the server); pings
 * still come at least every interval, and never closer than {@link #MIN_PING_ALONG_GAP} to the one before.
 */
public final class Pinger {
    private static final Logger LOG = LoggerFactory.getLogger(Pinger.class);
    static final Duration TICK = Duration.ofMillis(100);
    /** 6.4 s per turn: the default 3 s interval never waits a whole turn. A power of two. */
    private static final int SLOTS = 64;
    /** Liveness checks in a row without a sign of life after which a session without pings is dropped. */
    static final int UNANSWERED_PINGS_LIMIT = 2;
    /** The last ping tick of a session that had none yet. */
    static final long NEVER = Long.MIN_VALUE;
    /**
     * The least time between a ping and the next one sent early: pings in whole seconds stay strictly increasing
     * with a wide margin, so early pings need an interval of at least 3 s.
     */
    static final Duration MIN_PING_ALONG_GAP = Duration.ofSeconds(2);

    /** The tick and the ping frame of each precision at that tick, published for {@link #pingAlong}. */
    private record TickPings(long tick, Map<PingPrecision, String> frames) {
        static TickPings at(long tick, Instant now) {
            Map<PingPrecision, String> frames = new EnumMap<>(PingPrecision.class);
            for (PingPrecision precision : PingPrecision.values()) {
                frames.put(precision, ServerFrames.ping(precision.timestamp(now)));
            }
            return new TickPings(tick, frames);
        }
    }

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
    /** The current tick's ping frames; replaced at every tick. */
    private volatile TickPings tickPings;

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
        this.tickPings = TickPings.at(0, clock.instant());
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
        session.pingAlongGapTicks = pingAlongGapTicks(session);
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

    /**
     * The ticks after a ping from which the next one may go along another frame; 0 when it never does: a session
     * without protocol pings, an extended one (its pings arm the pong timeout and its stored publications wait in
     * the history gate, both the pinger's and the gate's own business), a transport that would write the pair
     * twice, or an interval too short for the last third of it to leave {@link #MIN_PING_ALONG_GAP}.
     */
    static long pingAlongGapTicks(ClientSession session) {
        Handshake handshake = session.handshake();
        if (handshake.pingInterval().isZero() || handshake.extended()
                || !session.transport().batchesInOneWrite()) {
            return 0;
        }
        long interval = intervalTicks(handshake.pingInterval());
        long gap = interval - interval / 3;
        return gap >= intervalTicks(MIN_PING_ALONG_GAP) ? gap : 0;
    }

    /**
     * The ping frame to write together with a frame that is about to go to {@code session}, or null: a ping goes
     * along when the session had its first ping and the last one is at least its gap ticks old. Taken by
     * compare-and-set, so a ping due at the same time from the timer, or another frame's, does not go twice.
     * Called on the delivering thread; never blocks.
     */
    String pingAlong(ClientSession session) {
        long gap = session.pingAlongGapTicks;
        if (gap == 0) {
            return null;
        }
        long last = session.lastPingTick();
        TickPings now = tickPings;
        if (last == NEVER || now.tick() - last < gap || !session.claimPing(last, now.tick())) {
            return null;
        }
        return now.frames().get(session.handshake().pingPrecision());
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
            tickPings = TickPings.at(tick, clock.instant());
            int index = (int) (tick & (SLOTS - 1));
            visited = wheel.get(index);
            if (visited.isEmpty()) {
                return;
            }
            wheel.set(index, new ArrayList<>(visited.size()));
        } finally {
            lock.unlock();
        }
        Map<PingPrecision, String> frames = tickPings.frames();
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
            long interval = intervalTicks(interval(handshake));
            session.pingTick = tick + interval;
            if (handshake.pingInterval().isZero()) {
                checkLiveness(session);
                continue;
            }
            long last = session.lastPingTick();
            if (last != NEVER && tick - last < interval || !session.claimPing(last, tick)) {
                // A ping went along another frame since the last one (or just now): the next is an interval later.
                session.pingTick = session.lastPingTick() + interval;
                continue;
            }
            String frame = frames.get(handshake.pingPrecision());
            // Armed before the ping goes out, so a quick answer is not lost; a deadline still running (a timeout
            // longer than the interval) is kept until the client is heard.
            if (pongTimeoutTicks > 0 && handshake.extended()
                    && (session.pongDeadlineTick == 0 || session.heardFrom)) {
                session.heardFrom = false;
                session.pongDeadlineTick = tick + pongTimeoutTicks;
            }
            session.transport().send(frame);
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
