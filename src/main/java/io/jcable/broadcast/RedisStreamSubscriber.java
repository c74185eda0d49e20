package io.jcable.broadcast;

import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.redis.RedisConnector;
import io.jcable.redis.RetryClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.params.XTrimParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamGroupInfo;
import redis.clients.jedis.resps.StreamPendingSummary;

/**
 * The {@code redisx} adapter (Redis Streams, Redis 6.2+): the app runs {@code XADD <stream> * payload <publication>}.
 * Every node reads through the consumer group {@code bx} (created at the start of the stream with {@code MKSTREAM},
 * so nothing added before the first node ever started is missed), as consumer {@code ANYCABLE_NODE_ID}, so each
 * entry is read by one node, which hands it to the pub/sub and then {@code XACK}s it. Entries another consumer
 * left pending for more than 2 s (a dead node) are taken over with {@code XAUTOCLAIM} every second. Delivery is
 * at least once, in stream order: an entry the pub/sub cannot take stays pending and is read again, in order,
 * after a backoff. Every 10 s the stream is trimmed ({@code XTRIM MINID ~}) below the oldest entry some group
 * still needs (pending, or not delivered yet), so it never grows without bound and never loses an entry.
 * One platform thread; Redis down or refusing a command: logged, counted, retried forever.
 */
public final class RedisStreamSubscriber {
    private static final Logger LOG = LoggerFactory.getLogger(RedisStreamSubscriber.class);
    static final String GROUP = "bx";
    private static final int BATCH = 256;
    private static final int BLOCK_MS = 1000;
    private static final long CLAIM_IDLE_MS = 2000;
    private static final long CLAIM_EVERY_NS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration TRIM_EVERY = Duration.ofSeconds(10);
    private static final Duration HANDOFF_WAIT = Duration.ofSeconds(5);

    private final RedisConnector connector;
    private final String stream;
    private final String consumer;
    private final Function<String, CompletableFuture<Void>> handler;
    private final Counter consumed;
    private final Counter claimed;
    private final Counter reconnects;
    private final Counter failed;
    private final Duration trimEvery;
    private final RetryClock clock = new RetryClock();
    private final Thread thread;
    private volatile boolean ready;
    private volatile Jedis connection;

    /** @param handler takes a payload; its future completes once the payload is handed on (then it is acked) */
    public RedisStreamSubscriber(RedisConnector connector, String stream, String consumer,
                                 Function<String, CompletableFuture<Void>> handler, Metrics metrics) {
        this(connector, stream, consumer, handler, metrics, TRIM_EVERY);
    }

    /** @param trimEvery how often the stream is trimmed */
    RedisStreamSubscriber(RedisConnector connector, String stream, String consumer,
                          Function<String, CompletableFuture<Void>> handler, Metrics metrics, Duration trimEvery) {
        this.trimEvery = trimEvery;
        this.connector = connector;
        this.stream = stream;
        this.consumer = consumer;
        this.handler = handler;
        this.consumed = metrics.counter("redisx_broadcast_msg_total");
        this.claimed = metrics.counter("redisx_claimed_total");
        this.reconnects = metrics.counter("redisx_reconnects_total");
        this.failed = metrics.counter("failed_broadcast_msg_total");
        this.thread = Thread.ofPlatform().daemon().name("jcable-redisx").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** The group exists and the stream is being read (readiness). */
    public boolean isReady() {
        return ready;
    }

    private void run() {
        int attempt = 0;
        while (clock.running()) {
            try (Jedis jedis = connector.connect()) {
                connection = jedis;
                createGroup(jedis);
                ready = true;
                attempt = 0;
                LOG.info("redisx: reading stream {} as {} in group {} on {}", stream, consumer, GROUP,
                        connector.describe());
                consume(jedis);
            } catch (HandoffFailed e) {
                LOG.warn("redisx: {}; reading the stream again after a pause", e.getMessage());
            } catch (RuntimeException e) {
                if (!clock.running()) {
                    return;
                }
                reconnects.inc();
                LOG.warn("redisx: reading stream {} on Redis {} failed (check ANYCABLE_REDIS_URL, "
                        + "ANYCABLE_REDISX_STREAM and the ACL for XGROUP, XREADGROUP, XACK, XAUTOCLAIM, XTRIM): {}",
                        stream, connector.describe(), e.getMessage());
            } finally {
                ready = false;
                connection = null;
            }
            clock.pause(Duration.ofMillis(RedisConnector.backoffMillis(attempt++, ThreadLocalRandom.current())));
        }
    }

    private void createGroup(Jedis jedis) {
        try {
            jedis.xgroupCreate(stream, GROUP, new StreamEntryID(0, 0), true);
            LOG.info("redisx: created consumer group {} on stream {}", GROUP, stream);
        } catch (JedisDataException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
                throw e;
            }
        }
    }

    private void consume(Jedis jedis) {
        // What this consumer read but did not ack before (a lost connection, a failed hand-off) comes first.
        StreamEntryID from = new StreamEntryID(0, 0);
        while (clock.running()) {
            List<StreamEntry> own = read(jedis, from, 0);
            if (own.isEmpty()) {
                break;
            }
            handle(jedis, own);
            from = own.getLast().getID();
        }
        long nextClaim = System.nanoTime();
        long nextTrim = System.nanoTime();
        while (clock.running()) {
            if (System.nanoTime() - nextClaim >= 0) {
                claim(jedis);
                nextClaim = System.nanoTime() + CLAIM_EVERY_NS;
            }
            if (System.nanoTime() - nextTrim >= 0) {
                trim(jedis);
                nextTrim = System.nanoTime() + trimEvery.toNanos();
            }
            handle(jedis, read(jedis, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY, BLOCK_MS));
        }
    }

    private List<StreamEntry> read(Jedis jedis, StreamEntryID from, int blockMillis) {
        XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(BATCH);
        if (blockMillis > 0) {
            params.block(blockMillis);
        }
        List<Map.Entry<String, List<StreamEntry>>> result = jedis.xreadGroup(GROUP, consumer, params,
                Map.of(stream, from));
        if (result == null || result.isEmpty()) {
            return List.of();
        }
        return result.getFirst().getValue();
    }

    private void claim(Jedis jedis) {
        Map.Entry<StreamEntryID, List<StreamEntry>> result = jedis.xautoclaim(stream, GROUP, consumer, CLAIM_IDLE_MS,
                new StreamEntryID(0, 0), XAutoClaimParams.xAutoClaimParams().count(BATCH));
        List<StreamEntry> entries = result.getValue().stream().filter(entry -> entry != null).toList();
        if (!entries.isEmpty()) {
            claimed.add(entries.size());
            LOG.info("redisx: took over {} entries another consumer left pending", entries.size());
            handle(jedis, entries);
        }
    }

    /** Hands the entries on in order (the pub/sub pipelines them), then acks those it took. */
    private void handle(Jedis jedis, List<StreamEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        List<StreamEntryID> ids = new ArrayList<>(entries.size());
        List<CompletableFuture<Void>> handoffs = new ArrayList<>(entries.size());
        for (StreamEntry entry : entries) {
            ids.add(entry.getID());
            String payload = entry.getFields() == null ? null : entry.getFields().get("payload");
            if (payload == null) {
                failed.inc();
                LOG.warn("redisx: entry {} of {} has no payload field: skipped", entry.getID(), stream);
                handoffs.add(CompletableFuture.completedFuture(null));
            } else {
                handoffs.add(handler.apply(payload));
            }
        }
        consumed.add(entries.size());
        List<StreamEntryID> done = new ArrayList<>(ids.size());
        String failure = null;
        long deadline = System.nanoTime() + HANDOFF_WAIT.toNanos();
        for (int i = 0; i < handoffs.size(); i++) {
            try {
                handoffs.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                done.add(ids.get(i));
            } catch (ExecutionException | TimeoutException e) {
                failure = "entry " + ids.get(i) + " could not be handed to the pub/sub (" + e + ")";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted";
                break;
            }
        }
        if (!done.isEmpty()) {
            jedis.xack(stream, GROUP, done.toArray(StreamEntryID[]::new));
        }
        if (failure != null) {
            throw new HandoffFailed(failure);
        }
    }

    /** Trims entries every group has delivered and acknowledged. */
    private void trim(Jedis jedis) {
        StreamEntryID floor = null;
        for (StreamGroupInfo group : jedis.xinfoGroups(stream)) {
            StreamEntryID last = group.getLastDeliveredId();
            StreamEntryID needed = new StreamEntryID(last.getTime(), last.getSequence() + 1);
            if (group.getPending() > 0) {
                StreamPendingSummary pending = jedis.xpending(stream, group.getName());
                if (pending.getMinId() != null && pending.getMinId().compareTo(needed) < 0) {
                    needed = pending.getMinId();
                }
            }
            if (floor == null || needed.compareTo(floor) < 0) {
                floor = needed;
            }
        }
        if (floor != null) {
            jedis.xtrim(stream, XTrimParams.xTrimParams().minId(floor.toString()).approximateTrimming());
        }
    }

    /** Stops the thread: closes the connection (ending a blocking read) and waits at most {@code wait}. */
    public void stop(Duration wait) {
        clock.stop();
        Jedis open = connection;
        if (open != null) {
            try {
                open.disconnect();
            } catch (RuntimeException e) {
                LOG.debug("redisx: closing the connection failed: {}", e.getMessage());
            }
        }
        if (!RetryClock.join(wait, thread)) {
            LOG.warn("redisx: did not stop within {} ms: going on", wait.toMillis());
        }
    }

    /** The pub/sub did not take an entry: it stays pending and is read again. */
    private static final class HandoffFailed extends RuntimeException {
        HandoffFailed(String message) {
            super(message, null, false, false);
        }
    }
}
