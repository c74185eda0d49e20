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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's session cache in Redis (docs/protocol.md §6.2): a snapshot is JSON under {@code $jc:session:<sid>},
 * so any node can restore it. The node that cached it keeps its expiry action (the Disconnect call); when the TTL
 * is up it takes the key back atomically and makes the call only if nobody restored it. A restore does not delete
 * the key but replaces the snapshot with a marker (keeping its expiry), so the caching node can tell "restored"
 * from "lost" (Redis restarted without its data: the Disconnect is made, no session is leaked). The key outlives
 * the TTL by {@link #GRACE}, so it is still there when the caching node looks. A snapshot Redis could not take
 * gets its Disconnect at once, as without a cache.
 */
public final class RedisSessionCache implements SessionCache {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSessionCache.class);
    static final Duration SWEEP = MemorySessionCache.SWEEP;
    /** How much longer than the TTL a key lives in Redis, for the caching node's expiry check. */
    static final Duration GRACE = Duration.ofSeconds(60);
    private static final String RESTORED = "restored";

    /** KEYS: session. ARGV: marker. The snapshot, replaced by the marker; nil when absent or already restored. */
    private static final String TAKE = """
            local snapshot = redis.call('GET', KEYS[1])
            if (not snapshot) or snapshot == ARGV[1] then
              return false
            end
            redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
            return snapshot
            """;
    /** KEYS: session. What the key held (snapshot, marker or nil), deleted. */
    private static final String EXPIRE = """
            local value = redis.call('GET', KEYS[1])
            redis.call('DEL', KEYS[1])
            return value
            """;

    /**
     * A snapshot this node cached: its expiry action is due at {@code expiresAtMs}; {@code inRedis} false when
     * Redis could not take it (the action is due at once, without asking Redis).
     */
    private record Entry(long expiresAtMs, Runnable onExpiry, boolean inRedis) {
    }

    private final RedisKeys keys;
    private final long ttlMs;
    private final RedisWorkers redis;
    private final Map<String, Entry> cached = new ConcurrentHashMap<>();
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("jcable-redis-session-cache").daemon().factory());

    /** Starts the expiry thread; the workers are the cache's own from now on ({@link #stop} stops both). */
    public RedisSessionCache(RedisKeys keys, Duration ttl, RedisWorkers redis) {
        this.keys = keys;
        this.ttlMs = ttl.toMillis();
        this.redis = redis;
        expiry.scheduleWithFixedDelay(this::expire, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean enabled() {
        return ttlMs > 0;
    }

    @Override
    public void store(String sid, SessionSnapshot snapshot, Runnable onExpiry) {
        cached.put(sid, new Entry(System.currentTimeMillis() + ttlMs, onExpiry, true));
        String json = Json.GSON.toJson(snapshot);
        long seconds = TimeUnit.MILLISECONDS.toSeconds(ttlMs) + GRACE.toSeconds();
        redis.submit(jedis -> jedis.setex(keys.session(sid), seconds, json)).exceptionally(e -> {
            // Nobody can restore it: its expiry action is due, on the expiry thread (it may wait for the queue).
            // Not logged per session: the outage is logged once (RedisOutage).
            cached.computeIfPresent(sid, (key, entry) -> new Entry(0, entry.onExpiry(), false));
            return null;
        });
    }

    @Override
    public SessionSnapshot restore(String sid) {
        CompletableFuture<Object> taken = redis.submit(jedis -> jedis.eval(TAKE, List.of(keys.session(sid)),
                List.of(RESTORED)));
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
     * the entry stays for the next sweep; past the key's own lifetime the action runs anyway (the key is gone).
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
                if (now - entry.expiresAtMs() < GRACE.toMillis()) {
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
