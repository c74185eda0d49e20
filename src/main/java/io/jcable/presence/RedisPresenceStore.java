package io.jcable.presence;

import io.jcable.redis.RedisConnector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Presence records in Redis ({@code ANYCABLE_BROKER=redis}), shared by every node. Per stream S three hashes:
 * {@code jcable:presence:S:sid} (sid → id), {@code jcable:presence:S:n} (id → sessions holding it) and
 * {@code jcable:presence:S:info} (id → info); one sorted set {@code jcable:presence:lingering} of
 * {@code "<sid> <stream>"} scored by the epoch ms the linger ends (a sid has no space). Each change is one Lua
 * script (Redis 7.0 commands), so two nodes never both announce the same join or leave. A live session's record is
 * in that set too, with a lease its node renews every third of it ({@link #renew}): should the node die, its
 * sessions' records end like lingers, within one lease, announced by a node still alive. A live session whose record
 * Redis no longer has (a restart without persistence, or an outage longer than the lease, after which another node
 * ended it) joins again at the next renewal, so a user still connected does not stay absent.
 *
 * <p>Commands run on one platform thread of the store's own (Jedis may hold monitors, which would pin a virtual
 * thread) over one connection, opened when needed; a caller waits at most {@link #ANSWER_WAIT}. After a failed
 * connection, requests fail at once for {@link #RETRY_AFTER}, so a dead Redis cannot pile them up.
 */
public final class RedisPresenceStore implements PresenceStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisPresenceStore.class);
    static final Duration ANSWER_WAIT = Duration.ofSeconds(2);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final String PREFIX = "jcable:presence:";
    private static final String LINGERING = PREFIX + "lingering";
    /** Lingers ended per script call of a sweep. */
    private static final int EXPIRE_BATCH = 100;
    /** Leases renewed in one pipeline. */
    private static final int RENEW_BATCH = 256;
    /** The shortest lease: renewing more often than every second would only load Redis. */
    static final Duration MIN_LEASE = Duration.ofSeconds(3);

    /** Gives up the id {@code ARGV[1]} (a sid) holds; returns it when that was the id's last session. */
    private static final String RELEASE = """
            local id = redis.call('HGET', KEYS[1], ARGV[1])
            if not id then return false end
            redis.call('HDEL', KEYS[1], ARGV[1])
            if redis.call('HINCRBY', KEYS[2], id, -1) <= 0 then
              redis.call('HDEL', KEYS[2], id)
              redis.call('HDEL', KEYS[3], id)
              return id
            end
            return false
            """;

    /**
     * KEYS: sid, n, info, lingering; ARGV: sid, id, info, linger member, lease end ms. Returns [type, id, …] events.
     */
    private static final String JOIN = """
            redis.call('ZADD', KEYS[4], ARGV[5], ARGV[4])
            local events = {}
            local held = redis.call('HGET', KEYS[1], ARGV[1])
            if held == ARGV[2] then
              redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
              return events
            end
            if held then
              redis.call('HDEL', KEYS[1], ARGV[1])
              if redis.call('HINCRBY', KEYS[2], held, -1) <= 0 then
                redis.call('HDEL', KEYS[2], held)
                redis.call('HDEL', KEYS[3], held)
                table.insert(events, 'leave')
                table.insert(events, held)
              end
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
            if redis.call('HINCRBY', KEYS[2], ARGV[2], 1) == 1 then
              table.insert(events, 'join')
              table.insert(events, ARGV[2])
            end
            return events
            """;

    /** KEYS: sid, n, info, lingering; ARGV: sid, linger member. The id left, or false. */
    private static final String LEAVE = "redis.call('ZREM', KEYS[4], ARGV[2])\n" + RELEASE;

    /** As {@link #LEAVE}, but only by the node whose ZREM took the linger (each expiry is announced once). */
    private static final String EXPIRE = "if redis.call('ZREM', KEYS[4], ARGV[2]) == 0 then return false end\n"
            + RELEASE;

    /**
     * KEYS: lingering; ARGV: lease end ms, then linger members. Pushes the lease of each member still in the set;
     * returns those that are not (their record ended or was lost).
     */
    private static final String RENEW = """
            local missing = {}
            for i = 2, #ARGV do
              if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
                redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i])
              else
                table.insert(missing, ARGV[i])
              end
            end
            return missing
            """;

    /** KEYS: sid, lingering; ARGV: sid, expiry ms, linger member. Lingers only a sid that holds an id. */
    private static final String LINGER = """
            if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
              redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
            end
            return false
            """;

    private final RedisConnector connector;
    private final long leaseMillis;
    /**
     * The records of the sessions joined on this node and neither left nor lingering, by linger member
     * ({@link #member}). A session leaving or lingering is removed before its command is queued on {@link #thread},
     * so a renewal that still finds it here runs before that command.
     */
    private final Map<String, LiveRecord> live = new ConcurrentHashMap<>();
    /** When the leases are renewed next (epoch ms); owned by the sweeper thread that calls {@link #renew}. */
    private long renewAtMillis;
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().name("jcable-presence-redis").daemon().factory());
    /** Owned by {@link #thread}. */
    private Jedis jedis;
    private long downUntilNanos;

    /**
     * @param lease how long a live session's record outlives its node's last renewal: {@code ANYCABLE_PRESENCE_TTL}
     *              (a dead node's sessions linger about as long as closed ones), at least {@link #MIN_LEASE}
     */
    public RedisPresenceStore(RedisConnector connector, Duration lease) {
        this.connector = connector;
        this.leaseMillis = Math.max(lease.toMillis(), MIN_LEASE.toMillis());
    }

    @Override
    public List<PresenceEvent> join(String stream, String sid, String id, String info) {
        String member = member(stream, sid);
        List<?> reply = (List<?>) call(redis -> redis.eval(JOIN, keys(stream),
                List.of(sid, id, info, member, Long.toString(System.currentTimeMillis() + leaseMillis))));
        live.put(member, new LiveRecord(stream, sid, id, info));
        return joinEvents(stream, info, reply);
    }

    /** The events of a {@link #JOIN} reply: [type, id, …]. */
    private static List<PresenceEvent> joinEvents(String stream, String info, List<?> reply) {
        List<PresenceEvent> events = new ArrayList<>(2);
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            String eventId = (String) reply.get(i + 1);
            events.add("join".equals(reply.get(i)) ? PresenceEvent.join(stream, eventId, info)
                    : PresenceEvent.leave(stream, eventId));
        }
        return events;
    }

    @Override
    public PresenceEvent leave(String stream, String sid) {
        live.remove(member(stream, sid));
        Object left = call(redis -> redis.eval(LEAVE, keys(stream), List.of(sid, member(stream, sid))));
        return left instanceof String id ? PresenceEvent.leave(stream, id) : null;
    }

    @Override
    public void linger(String stream, String sid, long expiresAtMillis) {
        live.remove(member(stream, sid));
        call(redis -> redis.eval(LINGER, List.of(key(stream, "sid"), LINGERING),
                List.of(sid, Long.toString(expiresAtMillis), member(stream, sid))));
    }

    @Override
    public PresenceState state(String stream, boolean withRecords) {
        if (!withRecords) {
            long total = call(redis -> redis.hlen(key(stream, "info")));
            return new PresenceState((int) total, Map.of());
        }
        Map<String, String> records = call(redis -> redis.hgetAll(key(stream, "info")));
        return new PresenceState(records.size(), new LinkedHashMap<>(records));
    }

    @Override
    public List<PresenceEvent> expire(long nowMillis) {
        List<String> due = call(redis -> redis.zrangeByScore(LINGERING, 0, nowMillis, 0, EXPIRE_BATCH));
        List<PresenceEvent> events = new ArrayList<>();
        for (String member : due) {
            int space = member.indexOf(' ');
            if (space < 0) {
                call(redis -> redis.zrem(LINGERING, member));
                continue;
            }
            String sid = member.substring(0, space);
            String stream = member.substring(space + 1);
            Object left = call(redis -> redis.eval(EXPIRE, keys(stream), List.of(sid, member)));
            if (left instanceof String id) {
                events.add(PresenceEvent.leave(stream, id));
            }
        }
        return events;
    }

    /**
     * Every third of a lease: pushes the end of each live session's lease one lease ahead, and joins again the live
     * sessions whose record Redis lost; returns the events of those joins.
     */
    @Override
    public List<PresenceEvent> renew(long nowMillis) {
        if (nowMillis < renewAtMillis) {
            return List.of();
        }
        List<String> members = new ArrayList<>(live.keySet());
        long until = nowMillis + leaseMillis;
        List<PresenceEvent> events = new ArrayList<>();
        int rejoined = 0;
        try {
            for (int from = 0; from < members.size(); from += RENEW_BATCH) {
                List<String> batch = members.subList(from, Math.min(members.size(), from + RENEW_BATCH));
                Rejoined answer = call(redis -> renewBatch(redis, batch, until));
                rejoined += answer.sessions();
                events.addAll(answer.events());
            }
            renewAtMillis = nowMillis + leaseMillis / 3;
        } catch (PresenceUnavailable e) {
            // The joins already made are in Redis: their events must go out, the rest is renewed at the next sweep.
            if (events.isEmpty()) {
                throw e;
            }
        } finally {
            if (rejoined > 0) {
                LOG.info("Presence: {} live session(s) joined again: Redis had lost their records (a restart, or an"
                        + " outage longer than the {} ms lease)", rejoined, leaseMillis);
            }
        }
        return events;
    }

    /** On the store's thread: renews {@code batch}'s leases and joins again the members Redis no longer has. */
    private Rejoined renewBatch(Jedis redis, List<String> batch, long until) {
        List<String> args = new ArrayList<>(batch.size() + 1);
        args.add(Long.toString(until));
        batch.stream().filter(live::containsKey).forEach(args::add);
        if (args.size() == 1) {
            return Rejoined.NONE;
        }
        List<?> missing = (List<?>) redis.eval(RENEW, List.of(LINGERING), args);
        List<PresenceEvent> events = new ArrayList<>();
        int sessions = 0;
        for (Object member : missing) {
            // Left or lingering since the script ran: its command is queued behind this task.
            LiveRecord record = live.get((String) member);
            if (record == null) {
                continue;
            }
            List<?> reply = (List<?>) redis.eval(JOIN, keys(record.stream()), List.of(record.sid(), record.id(),
                    record.info(), (String) member, Long.toString(until)));
            events.addAll(joinEvents(record.stream(), record.info(), reply));
            sessions++;
        }
        return new Rejoined(sessions, events);
    }

    private static String key(String stream, String part) {
        return PREFIX + stream + ":" + part;
    }

    private static List<String> keys(String stream) {
        return List.of(key(stream, "sid"), key(stream, "n"), key(stream, "info"), LINGERING);
    }

    private static String member(String stream, String sid) {
        return sid + " " + stream;
    }

    /** Runs {@code command} on the store's thread and waits for it at most {@link #ANSWER_WAIT}. */
    private <T> T call(Function<Jedis, T> command) {
        CompletableFuture<T> answer;
        try {
            answer = CompletableFuture.supplyAsync(() -> run(command), thread);
        } catch (RejectedExecutionException e) {
            throw new PresenceUnavailable("presence store stopped");
        }
        try {
            return answer.get(ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new PresenceUnavailable("Redis did not answer within " + ANSWER_WAIT.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof PresenceUnavailable unavailable ? unavailable
                    : new PresenceUnavailable("Redis failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PresenceUnavailable("interrupted");
        }
    }

    /** On the store's thread. */
    private <T> T run(Function<Jedis, T> command) {
        if (jedis == null) {
            if (System.nanoTime() - downUntilNanos < 0) {
                throw new PresenceUnavailable("Redis unreachable (" + connector.describe() + ")");
            }
            try {
                jedis = connector.connect();
            } catch (JedisException e) {
                downUntilNanos = System.nanoTime() + RETRY_AFTER.toNanos();
                throw new PresenceUnavailable("Redis unreachable (" + connector.describe() + "): " + e.getMessage());
            }
        }
        try {
            return command.apply(jedis);
        } catch (JedisException e) {
            jedis.close();
            jedis = null;
            throw new PresenceUnavailable("Redis failed: " + e.getMessage());
        }
    }

    /** What a live session holds on a stream, to join it again should Redis lose it. */
    private record LiveRecord(String stream, String sid, String id, String info) {
    }

    /** The result of renewing one batch: how many sessions joined again, and the events of those joins. */
    private record Rejoined(int sessions, List<PresenceEvent> events) {
        static final Rejoined NONE = new Rejoined(0, List.of());
    }

    @Override
    public void stop() {
        thread.execute(() -> {
            if (jedis != null) {
                jedis.close();
                jedis = null;
            }
        });
        thread.shutdown();
        try {
            if (!thread.awaitTermination(ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
