package io.jcable.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The session cache of one node. A platform thread looks for expired entries every {@link #SWEEP} and runs their
 * expiry actions (a Disconnect call may wait for room in the queue: it waits here, never on a client's thread).
 */
public final class MemorySessionCache implements SessionCache {
    static final Duration SWEEP = Duration.ofMillis(250);

    private record Entry(SessionSnapshot snapshot, long expiresAtMs, Runnable onExpiry) {
    }

    private final long ttlMs;
    private final LongSupplier clock;
    private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService expiry;

    /** Starts the expiry thread (stopped by {@link #stop}). */
    public MemorySessionCache(Duration ttl) {
        this(ttl, System::currentTimeMillis);
        expiry.scheduleWithFixedDelay(this::expire, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Without the expiry thread (tests drive the clock and {@link #expire}). */
    MemorySessionCache(Duration ttl, LongSupplier clock) {
        this.ttlMs = ttl.toMillis();
        this.clock = clock;
        this.expiry = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("jcable-session-cache").daemon().factory());
    }

    @Override
    public boolean enabled() {
        return ttlMs > 0;
    }

    @Override
    public void store(String sid, SessionSnapshot snapshot, Runnable onExpiry) {
        sessions.put(sid, new Entry(snapshot, clock.getAsLong() + ttlMs, onExpiry));
    }

    @Override
    public SessionSnapshot restore(String sid) {
        Entry entry = sessions.remove(sid);
        if (entry == null) {
            return null;
        }
        if (entry.expiresAtMs() <= clock.getAsLong()) {
            // Expired but not swept yet: it is due its expiry action, not a restore.
            run(sid, entry);
            return null;
        }
        return entry.snapshot();
    }

    /** Runs the actions of the entries whose time is up. */
    void expire() {
        long now = clock.getAsLong();
        for (Map.Entry<String, Entry> candidate : sessions.entrySet()) {
            Entry entry = candidate.getValue();
            if (entry.expiresAtMs() <= now && sessions.remove(candidate.getKey(), entry)) {
                run(candidate.getKey(), entry);
            }
        }
    }

    @Override
    public void expireAll() {
        List<String> sids = new ArrayList<>(sessions.keySet());
        for (String sid : sids) {
            Entry entry = sessions.remove(sid);
            if (entry != null) {
                run(sid, entry);
            }
        }
    }

    private static void run(String sid, Entry entry) {
        ExpiryAction.run(sid, entry.onExpiry());
    }

    @Override
    public void stop() {
        expiry.shutdownNow();
    }
}
