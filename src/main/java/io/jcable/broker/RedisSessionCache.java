package io.jcable.broker;

import com.google.gson.JsonParseException;
import io.jcable.protocol.Json;
import io.jcable.redis.RedisWorkers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * The cluster's session cache in Redis (docs/protocol.md §6.2): a snapshot is JSON under {@code $jc:session:<sid>},
 * so any node can restore it. A live session's snapshot is written through ({@link #live}): after it was identified
 * and after each change, coalesced per session on the Redis threads, its expiry refreshed every TTL/2 in pipelined
 * batches, so a node that dies leaves its sessions to be restored elsewhere. The node that cached a lost session
 * keeps its expiry action (the Disconnect call); when the TTL is up it takes the key back atomically and makes the
 * call only if nobody restored it. A restore does not delete the key but replaces the snapshot with a marker
 * (for the TTL + {@link #GRACE}, so a node whose live session was taken over has time to see it), which no
 * write ever overwrites: the caching node can tell "restored" from "lost" (Redis
 * restarted without its data: the Disconnect is made, no session is leaked), and a live session that finds it was
 * taken over elsewhere. The key of a lost session outlives the TTL by {@link #GRACE}, so it is still there when the
 * caching node looks. A session whose end (or final snapshot) Redis could not take while an earlier live snapshot
 * may still be there waits like a lost one: the node deletes the key once Redis answers and makes the Disconnect
 * unless that snapshot was restored elsewhere meanwhile, or makes it when the snapshot has expired for sure; so a
 * Redis outage never gives a session two Disconnects. A write whose connection failed under it counts as taken
 * (only its reply may be lost). A session Redis never held gets its Disconnect at once.
 */
public final class RedisSessionCache implements SessionCache {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSessionCache.class);
    static final Duration SWEEP = MemorySessionCache.SWEEP;
    /** How much longer than the TTL a key lives in Redis, for the caching node's expiry check. */
    static final Duration GRACE = Duration.ofSeconds(60);
    private static final String RESTORED = "restored";

    /**
     * KEYS: session. ARGV: marker, seconds. The snapshot, replaced by the marker for that long; nil when absent or
     * already restored.
     */
    private static final String TAKE = """
            local snapshot = redis.call('GET', KEYS[1])
            if (not snapshot) or snapshot == ARGV[1] then
              return false
            end
            redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
            return snapshot
            """;
    /**
     * KEYS: session. ARGV: marker, snapshot (empty: delete), seconds. Sets (or deletes) the snapshot unless the key
     * holds the marker: 0 then, else 1.
     */
    private static final String WRITE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return 0
            end
            if ARGV[2] == '' then
              redis.call('DEL', KEYS[1])
            else
              redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
            end
            return 1
            """;
    /** KEYS: session. ARGV: marker, seconds. 0 when the key holds the marker, -1 when it is gone, else 1 (expiry set). */
    private static final String REFRESH = """
            local value = redis.call('GET', KEYS[1])
            if value == ARGV[1] then
              return 0
            end
            if not value then
              return -1
            end
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            return 1
            """;
    /** KEYS: session. What the key held (snapshot, marker or nil), deleted. */
    private static final String EXPIRE = """
            local value = redis.call('GET', KEYS[1])
            redis.call('DEL', KEYS[1])
            return value
            """;

    /**
     * A session this node must settle: its expiry action is due at {@code expiresAtMs}, after taking the key back
     * (unless {@code inRedis} is false: Redis never held it, so the action runs without asking); while Redis cannot
     * answer it waits until {@code giveUpAtMs}, when the key has expired for sure.
     */
    private record Entry(long expiresAtMs, Runnable onExpiry, boolean inRedis, long giveUpAtMs) {
    }

    /** How many expiry refreshes go to Redis in one pipeline. */
    static final int REFRESH_BATCH = 256;

    /** What a session's next write does: a live snapshot, the lost session's final one, or the end (delete). */
    private enum Kind { LIVE, FINAL, END }

    /**
     * @param json    the snapshot, or empty for {@link Kind#END}
     * @param onEnded for {@link Kind#END}: the Disconnect, run unless the key holds the marker
     */
    private record Pending(Kind kind, String json, Runnable onEnded) {
        Pending(Kind kind, String json) {
            this(kind, json, null);
        }
    }

    private final RedisKeys keys;
    private final long ttlMs;
    private final RedisWorkers redis;
    private final Map<String, Entry> cached = new ConcurrentHashMap<>();
    /** The live sessions written through, by sid (their expiry is refreshed). */
    private final Map<String, SessionWriter> writers = new ConcurrentHashMap<>();
    /** False from the shutdown on: nothing is written through any more (the Disconnects are being made). */
    private volatile boolean writingThrough = true;
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("jcable-redis-session-cache").daemon().factory());

    /** Starts the expiry thread; the workers are the cache's own from now on ({@link #stop} stops both). */
    public RedisSessionCache(RedisKeys keys, Duration ttl, RedisWorkers redis) {
        this.keys = keys;
        this.ttlMs = ttl.toMillis();
        this.redis = redis;
        expiry.scheduleWithFixedDelay(this::expire, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
        long refreshMs = Math.max(ttlMs / 2, SWEEP.toMillis());
        expiry.scheduleWithFixedDelay(this::refresh, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean enabled() {
        return ttlMs > 0;
    }

    @Override
    public boolean writesLive() {
        return enabled();
    }

    @Override
    public void live(String sid, SessionSnapshot snapshot, Runnable onTakenOver) {
        if (!writingThrough) {
            return;
        }
        SessionWriter writer = writers.computeIfAbsent(sid, key -> new SessionWriter(key, onTakenOver));
        writer.liveJson = Json.GSON.toJson(snapshot);
        writer.write(new Pending(Kind.LIVE, writer.liveJson));
    }

    /**
     * Deletes the snapshot, then runs {@code onEnded} (on the expiry thread) unless the key held the marker: the
     * session was restored elsewhere before its end here, so the Disconnect is that node's. Redis failing, it runs.
     */
    @Override
    public void ended(String sid, Runnable onEnded) {
        SessionWriter writer = writers.remove(sid);
        if (writer == null) {
            onEnded.run();
        } else {
            writer.write(new Pending(Kind.END, "", onEnded));
        }
    }

    @Override
    public void store(String sid, SessionSnapshot snapshot, Runnable onExpiry) {
        long expiresAt = System.currentTimeMillis() + ttlMs;
        cached.put(sid, new Entry(expiresAt, onExpiry, true, expiresAt + GRACE.toMillis()));
        SessionWriter writer = writers.remove(sid);
        if (writer == null) {
            writer = new SessionWriter(sid, () -> { });
        }
        writer.write(new Pending(Kind.FINAL, Json.GSON.toJson(snapshot)));
    }

    /** Refreshes the expiry of every live session's snapshot, in pipelined batches. */
    void refresh() {
        long sentAtMs = System.currentTimeMillis();
        eachLive(new ArrayList<>(writers.values()), REFRESH, Long.toString(liveSeconds()), (writer, answer) -> {
            if (answer == 0) {
                writer.takenOver();
            } else if (answer < 0) {
                writer.rewrite();
            } else {
                writer.written();
            }
        }, writer -> writer.mayHaveRenewed(sentAtMs));
    }

    /**
     * Runs {@code script} with ARGV marker, {@code argument} for each writer's key, pipelined by
     * {@link #REFRESH_BATCH}, and hands each answer to {@code answered}; one future per batch. A batch that was
     * sent but not answered (Redis may have run it) goes to {@code unanswered}, writer by writer.
     */
    private List<CompletableFuture<Void>> eachLive(List<SessionWriter> live, String script, String argument,
                                                   BiConsumer<SessionWriter, Long> answered,
                                                   Consumer<SessionWriter> unanswered) {
        List<CompletableFuture<Void>> batches = new ArrayList<>();
        for (int from = 0; from < live.size(); from += REFRESH_BATCH) {
            List<SessionWriter> batch = live.subList(from, Math.min(live.size(), from + REFRESH_BATCH));
            batches.add(redis.submit(jedis -> {
                try {
                    Pipeline pipeline = jedis.pipelined();
                    List<Response<Object>> answers = batch.stream().map(writer -> pipeline.eval(script,
                            List.of(keys.session(writer.sid)), List.of(RESTORED, argument))).toList();
                    pipeline.sync();
                    return answers.stream().map(Response::get).toList();
                } catch (JedisConnectionException e) {
                    batch.forEach(unanswered);
                    throw e;
                }
            }).thenAccept(answers -> {
                for (int i = 0; i < answers.size(); i++) {
                    answered.accept(batch.get(i), (Long) answers.get(i));
                }
            }));
        }
        return batches;
    }

    /**
     * The shutdown, before the clients are told to go: the live snapshots are deleted (a session that was taken over
     * meanwhile is told so), and nothing is written through from now on, so no client restores elsewhere a session
     * whose Disconnect this node makes. Waits for Redis at most {@link RedisBroker#READ_WAIT}.
     */
    private void endLive() {
        writingThrough = false;
        List<SessionWriter> live = new ArrayList<>(writers.values());
        writers.clear();
        live.forEach(writer -> writer.closed = true);
        List<CompletableFuture<Void>> batches = eachLive(live, WRITE, "", (writer, answer) -> {
            if (answer == 0) {
                writer.takenOver();
            }
        }, writer -> { });
        try {
            CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
                    .get(RedisBroker.READ_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Live sessions' snapshots not all deleted from Redis at shutdown ({}): a client may restore one "
                    + "on another node within the TTL", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A lost session's snapshot's (or a restored marker's) lifetime in Redis: the TTL, then the caching node looks. */
    private long lostSeconds() {
        return liveSeconds() + GRACE.toSeconds();
    }

    /** A live snapshot's lifetime in Redis: the TTL (renewed every TTL/2), so a dead node's sessions keep it. */
    private long liveSeconds() {
        return Math.max(1, TimeUnit.MILLISECONDS.toSeconds(ttlMs));
    }

    /**
     * One session's writes to Redis, run one at a time in order ({@link #order}: the Redis threads are several), and
     * only the latest (a burst of changes while a write waits is one write).
     */
    private final class SessionWriter {
        private final String sid;
        private final Runnable onTakenOver;
        private final ReentrantLock order = new ReentrantLock();
        private final AtomicReference<Pending> next = new AtomicReference<>();
        /** The last live snapshot, written again when a refresh finds the key gone (Redis lost its data). */
        private volatile String liveJson;
        /**
         * Until when a live snapshot Redis took (or whose expiry it renewed, or either with the reply lost) may be
         * there; 0: none ever was.
         */
        private volatile long liveUntilMs;
        /** Set by the final write or the end: no live write may follow. */
        private volatile boolean closed;
        private final AtomicBoolean tookOver = new AtomicBoolean();

        SessionWriter(String sid, Runnable onTakenOver) {
            this.sid = sid;
            this.onTakenOver = onTakenOver;
        }

        /** Called on the session's mailbox (one caller at a time). */
        void write(Pending pending) {
            if (pending.kind() != Kind.LIVE) {
                closed = true;
            }
            if (next.getAndSet(pending) == null) {
                submit();
            }
        }

        /** A refresh found the key gone: the live snapshot again, unless a write is on its way anyway. */
        void rewrite() {
            String json = liveJson;
            if (!closed && json != null && next.compareAndSet(null, new Pending(Kind.LIVE, json))) {
                submit();
            }
        }

        private void submit() {
            redis.submit(this::run).exceptionally(e -> {
                // Redis is lost (logged once by RedisOutage): what waits is dropped, never logged per session.
                Pending dropped = next.getAndSet(null);
                if (dropped != null) {
                    failed(dropped, false);
                }
                return null;
            });
        }

        private Void run(Jedis jedis) {
            order.lock();
            try {
                Pending pending = next.getAndSet(null);
                if (pending == null || pending.kind() == Kind.LIVE && closed) {
                    return null;
                }
                long seconds = pending.kind() == Kind.FINAL ? lostSeconds() : liveSeconds();
                Object written;
                try {
                    written = jedis.eval(WRITE, List.of(keys.session(sid)),
                            List.of(RESTORED, pending.json(), Long.toString(seconds)));
                } catch (RuntimeException e) {
                    // A connection that failed under the command may have lost the reply, not the command.
                    failed(pending, e instanceof JedisConnectionException);
                    throw e;
                }
                if (Long.valueOf(0).equals(written)) {
                    restoredElsewhere(pending);
                } else if (pending.kind() == Kind.END) {
                    ended(pending);
                } else if (pending.kind() == Kind.LIVE) {
                    written();
                }
                return null;
            } finally {
                order.unlock();
            }
        }

        /** A live snapshot was written, or its expiry renewed: it lives a TTL from now. */
        void written() {
            liveUntilMs = System.currentTimeMillis() + TimeUnit.SECONDS.toMillis(liveSeconds());
        }

        /** A refresh sent at {@code sentAtMs} got no answer: it renewed the snapshot if one was there then. */
        void mayHaveRenewed(long sentAtMs) {
            if (liveUntilMs > sentAtMs) {
                written();
            }
        }

        /**
         * Redis did not answer a write. One that was {@code sent} may have been taken all the same (only the reply
         * was lost), so a live snapshot sent may be there for a TTL from now, and a final one as long as its entry
         * waits. For the final snapshot or the end: with no snapshot that may be there, nobody can restore the
         * session, so its action is due at once (on the expiry thread: it may wait for the Disconnect queue). With
         * one, a client may still restore it elsewhere: the lost session's entry stays as it is (its action runs
         * after the TTL unless the key holds the marker), and the end is settled like it (the key deleted once
         * Redis answers, the Disconnect made unless restored elsewhere, at the latest once the snapshot expired).
         */
        private void failed(Pending pending, boolean sent) {
            if (sent && pending.kind() == Kind.LIVE) {
                written();
            }
            boolean mayBeThere = liveUntilMs > System.currentTimeMillis();
            switch (pending.kind()) {
                case FINAL -> {
                    if (!mayBeThere && !sent) {
                        cached.computeIfPresent(sid, (key, entry) -> new Entry(0, entry.onExpiry(), false, 0));
                    }
                }
                case END -> {
                    if (mayBeThere) {
                        cached.put(sid, new Entry(0, pending.onEnded(), true, liveUntilMs));
                    } else {
                        ended(pending);
                    }
                }
                case LIVE -> {
                }
            }
        }

        /** The Disconnect of a session that ended, on the expiry thread (it may wait for room in the queue). */
        private void ended(Pending pending) {
            try {
                expiry.execute(() -> ExpiryAction.run(sid, pending.onEnded()));
            } catch (RejectedExecutionException stopped) {
                ExpiryAction.run(sid, pending.onEnded());
            }
        }

        /** The key holds the marker: another node restored this session, which is that node's now. */
        private void restoredElsewhere(Pending pending) {
            switch (pending.kind()) {
                case LIVE -> takenOver();
                case FINAL -> {
                    LOG.info("sid={} lost session was already restored on another node: no Disconnect here", sid);
                    cached.remove(sid);
                }
                case END -> LOG.info("sid={} ended after it was restored on another node: no Disconnect here", sid);
            }
        }

        void takenOver() {
            writers.remove(sid, this);
            closed = true;
            if (!tookOver.getAndSet(true)) {
                onTakenOver.run();
            }
        }
    }

    @Override
    public SessionSnapshot restore(String sid) {
        CompletableFuture<Object> taken = redis.submit(jedis -> jedis.eval(TAKE, List.of(keys.session(sid)),
                List.of(RESTORED, Long.toString(lostSeconds()))));
        String json;
        try {
            json = RedisBroker.text(taken.get(RedisBroker.READ_WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            // Cancelled, so a command still queued is not run and the snapshot stays for its node's expiry.
            taken.cancel(false);
            return null;
        } catch (ExecutionException e) {
            return null; // Redis is lost (logged once): the client connects anew
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        if (json == null) {
            return null;
        }
        try {
            return Json.GSON.fromJson(json, SessionSnapshot.class);
        } catch (JsonParseException e) {
            LOG.warn("sid={} cached session in Redis is not a snapshot: ignored", sid);
            return null;
        }
    }

    /** Runs the expiry actions whose time is up, for the sessions nobody restored. */
    void expire() {
        long now = System.currentTimeMillis();
        for (Map.Entry<String, Entry> candidate : cached.entrySet()) {
            Entry entry = candidate.getValue();
            if (entry.expiresAtMs() <= now) {
                settle(candidate.getKey(), entry, now);
            }
        }
    }

    @Override
    public void expireAll() {
        endLive();
        List<String> sids = new ArrayList<>(cached.keySet());
        for (String sid : sids) {
            Entry entry = cached.get(sid);
            if (entry != null) {
                settle(sid, entry, Long.MAX_VALUE);
            }
        }
    }

    /**
     * Takes the key back and runs the expiry action unless the snapshot was restored. While Redis cannot answer
     * the entry stays for the next sweep; past the key's own lifetime ({@link Entry#giveUpAtMs}) the action runs
     * anyway (the key is gone).
     */
    private void settle(String sid, Entry entry, long now) {
        boolean due;
        if (!entry.inRedis()) {
            due = true;
        } else {
            try {
                Object value = redis.submit(jedis -> jedis.eval(EXPIRE, List.of(keys.session(sid)), List.of()))
                        .get(RedisBroker.READ_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                due = !RESTORED.equals(RedisBroker.text(value));
            } catch (ExecutionException | TimeoutException e) {
                if (now < entry.giveUpAtMs()) {
                    return;
                }
                due = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (cached.remove(sid, entry) && due) {
            ExpiryAction.run(sid, entry.onExpiry());
        }
    }

    @Override
    public void stop() {
        expiry.shutdownNow();
        redis.stop(RedisKeys.STOP_WAIT);
    }
}
