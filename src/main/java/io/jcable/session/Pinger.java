package io.jcable.session;

import io.jcable.config.PingPrecision;
import io.jcable.protocol.ServerFrames;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One timer for every session's pings (and for noticing blocked writes). Each session keeps its own
 * schedule: the first ping after a random delay in [0.5, 1.5) × interval (so the welcome normally comes first
 * and pings of many sockets spread out), then one every interval. The timer ticks every {@link #TICK}; frames are built once per tick and precision.
 */
public final class Pinger {
    private static final Logger LOG = LoggerFactory.getLogger(Pinger.class);
    static final Duration TICK = Duration.ofMillis(100);

    private final Supplier<Collection<Session>> sessions;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "jcable-pinger");
        thread.setDaemon(true);
        return thread;
    });

    public Pinger(Supplier<Collection<Session>> sessions, Clock clock) {
        this.sessions = sessions;
        this.clock = clock;
    }

    public void start() {
        timer.scheduleAtFixedRate(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void stop() {
        timer.shutdownNow();
    }

    /**
     * When the first ping of a new session is due: uniform in [0.5, 1.5) × interval, less one tick so the
     * timer's granularity never makes it later than 1.5 × interval. {@link Long#MAX_VALUE} for no pings.
     */
    static long firstPingAt(long nowNanos, Duration interval) {
        if (interval.isZero()) {
            return Long.MAX_VALUE;
        }
        long intervalNanos = interval.toNanos();
        long delay = (long) (intervalNanos * (0.5 + ThreadLocalRandom.current().nextDouble()));
        return nowNanos + Math.max(intervalNanos / 2, delay - TICK.toNanos());
    }

    private void tick() {
        try {
            pingDueSessions();
        } catch (RuntimeException e) {
            // An exception would cancel the periodic task and silently stop every ping.
            LOG.error("Ping tick failed", e);
        }
    }

    private void pingDueSessions() {
        long now = System.nanoTime();
        Map<PingPrecision, String> frames = new EnumMap<>(PingPrecision.class);
        for (Session session : sessions.get()) {
            session.transport().checkWrite(now);
            if (session.nextPingNanos > now || session.isClosed()) {
                continue;
            }
            Handshake handshake = session.handshake();
            session.nextPingNanos = now + handshake.pingInterval().toNanos();
            String frame = frames.computeIfAbsent(handshake.pingPrecision(),
                    precision -> ServerFrames.ping(precision.timestamp(clock.instant())));
            session.deliver(frame);
        }
    }
}
