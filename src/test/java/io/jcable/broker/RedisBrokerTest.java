package io.jcable.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.config.RedisConfig;
import io.jcable.presence.Membership;
import io.jcable.protocol.StreamPosition;
import io.jcable.redis.RedisConnector;
import io.jcable.redis.RedisOutage;
import io.jcable.redis.RedisWorkers;
import io.jcable.testing.RedisServer;
import io.jcable.testing.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;

/** The Redis broker and session cache against a private redis-server: what two nodes sharing one Redis see. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private RedisServer redis;
    private final List<Runnable> stops = new ArrayList<>();

    @BeforeAll
    void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    void stopRedis() {
        redis.close();
    }

    @AfterEach
    void stopBrokers() {
        stops.forEach(Runnable::run);
        stops.clear();
    }

    private RedisConnector connector() {
        return new RedisConnector(new RedisConfig(redis.url(), List.of(), true));
    }

    /** A broker as one node has it, with an outage of its own (returned for its state). */
    private RedisBroker broker(int limit, Duration ttl, RedisOutage outage) {
        RedisConnector connector = connector();
        RedisBroker broker = new RedisBroker(RedisKeys.DEFAULT, limit, ttl,
                new RedisWorkers("test-store", 1, connector, outage), new RedisWorkers("test-read", 2, connector, outage));
        stops.add(broker::stop);
        return broker;
    }

    private RedisBroker broker(int limit, Duration ttl) {
        return broker(limit, ttl, new RedisOutage("test broker", "nothing", redis.url()));
    }

    private RedisSessionCache cache(Duration ttl) {
        return cache(ttl, cacheWorkers());
    }

    private RedisWorkers cacheWorkers() {
        return new RedisWorkers("test-cache", 1, connector(), new RedisOutage("test cache", "nothing", redis.url()));
    }

    private RedisSessionCache cache(Duration ttl, RedisWorkers workers) {
        RedisSessionCache cache = new RedisSessionCache(RedisKeys.DEFAULT, ttl, workers);
        stops.add(cache::stop);
        return cache;
    }

    private String cached(String sid) {
        try (Jedis jedis = redis.connect()) {
            return jedis.get(RedisKeys.DEFAULT.session(sid));
        }
    }

    private static SessionSnapshot snapshot(String cstateValue) {
        return new SessionSnapshot("{\"uid\":\"7\"}", Map.of("k", cstateValue), Map.of("{\"channel\":\"C\"}",
                new SessionSnapshot.RestoredSubscription(Map.of("i", "1"), List.of("s1"), null)), true);
    }

    private static List<Long> offsets(History history) {
        return assertInstanceOf(History.Found.class, history).entries().stream().map(e -> e.position().offset())
                .toList();
    }

    private static void await(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure);
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    private void awaitCached(String sid) {
        await(() -> {
            try (Jedis jedis = redis.connect()) {
                return jedis.exists(RedisKeys.DEFAULT.session(sid));
            }
        }, "the snapshot never reached Redis");
    }

    private void flushAll() {
        try (Jedis jedis = redis.connect()) {
            jedis.flushAll();
        }
    }

    @Test
    void twoNodesShareOneEpochAndOneCounterPerStream() {
        RedisBroker a = broker(100, Duration.ofSeconds(60));
        RedisBroker b = broker(100, Duration.ofSeconds(60));
        String stream = "s-" + UUID.randomUUID();
        StreamPosition first = a.store(stream, "{\"n\":1}", null).join();
        StreamPosition second = b.store(stream, "{\"n\":2}", "presence").join();
        StreamPosition third = a.store(stream, "\"three\"", null).join();
        assertEquals(List.of(1L, 2L, 3L), List.of(first.offset(), second.offset(), third.offset()));
        assertEquals(first.epoch(), second.epoch());
        assertEquals(first.epoch(), third.epoch());
        assertEquals(1, b.store("other-" + UUID.randomUUID(), "1", null).join().offset());

        History fromB = b.from(stream, first);
        List<HistoryEntry> entries = assertInstanceOf(History.Found.class, fromB).entries();
        assertEquals(List.of(2L, 3L), offsets(fromB));
        assertEquals("{\"n\":2}", entries.get(0).message());
        assertEquals("presence", entries.get(0).type());
        assertNull(entries.get(1).type());
        assertEquals(List.of(1L, 2L, 3L), offsets(a.since(stream, 1)));
        assertEquals(List.of(), offsets(a.since(stream, System.currentTimeMillis() / 1000 + 60)));
        assertEquals(List.of(), offsets(a.from(stream, third)));
        assertEquals(new History.Refused("offset not reached yet"), a.from(stream, new StreamPosition(first.epoch(),
                4)));
        assertEquals(new History.Refused("unknown epoch"), a.from(stream, new StreamPosition("nope", 1)));
        assertEquals(new History.Refused("unknown stream"), a.from("never-" + UUID.randomUUID(),
                new StreamPosition(first.epoch(), 0)));
    }

    @Test
    void theNewestLimitEntriesAreKeptAndAnEvictedOffsetIsRefused() {
        RedisBroker broker = broker(3, Duration.ofSeconds(60));
        String stream = "s-" + UUID.randomUUID();
        StreamPosition last = null;
        for (int i = 1; i <= 5; i++) {
            last = broker.store(stream, Integer.toString(i), null).join();
        }
        String epoch = last.epoch();
        assertEquals(List.of(3L, 4L, 5L), offsets(broker.from(stream, new StreamPosition(epoch, 2))));
        assertEquals(new History.Refused("offset no longer retained"), broker.from(stream,
                new StreamPosition(epoch, 1)));
        assertEquals(new History.Refused("offset no longer retained"), broker.from(stream,
                new StreamPosition(epoch, -7)));
        assertEquals(new History.Refused("offset not reached yet"), broker.from(stream,
                new StreamPosition(epoch, Long.MAX_VALUE)));
    }

    @Test
    void entriesOlderThanTheTtlAreNoLongerServed() {
        RedisBroker broker = broker(100, Duration.ofSeconds(1));
        String stream = "s-" + UUID.randomUUID();
        StreamPosition first = broker.store(stream, "1", null).join();
        broker.store(stream, "2", null).join();
        assertEquals(List.of(2L), offsets(broker.from(stream, first)));
        await(() -> broker.from(stream, first) instanceof History.Refused, "entry 2 never expired");
        assertEquals(new History.Refused("offset no longer retained"), broker.from(stream, first));
        assertEquals(List.of(), offsets(broker.since(stream, 1)));
        try (Jedis jedis = redis.connect()) {
            assertTrue(jedis.ttl(RedisKeys.DEFAULT.history(stream)) <= 1, "the history key expires with the TTL");
            assertTrue(jedis.ttl(RedisKeys.DEFAULT.offset(stream)) > 1, "the counter outlives it");
        }
    }

    @Test
    void aRedisThatLostItsDataGivesANewEpochSoOldPositionsAreRefused() {
        RedisBroker a = broker(100, Duration.ofSeconds(60));
        RedisBroker b = broker(100, Duration.ofSeconds(60));
        String stream = "s-" + UUID.randomUUID();
        StreamPosition before = a.store(stream, "1", null).join();
        a.store(stream, "2", null).join();
        flushAll();
        StreamPosition after = b.store(stream, "3", null).join();
        assertNotEquals(before.epoch(), after.epoch());
        assertEquals(1, after.offset());
        assertEquals(after.epoch(), a.store(stream, "4", null).join().epoch());
        assertEquals(new History.Refused("unknown epoch"), a.from(stream, before));
        assertEquals(List.of(2L), offsets(a.from(stream, after)));
    }

    @Test
    void whileRedisIsDownStoresFailAndHistoryIsRefusedThenItRecoversWithANewEpoch() {
        RedisOutage outage = new RedisOutage("test broker", "nothing", redis.url());
        RedisBroker broker = broker(100, Duration.ofSeconds(60), outage);
        String stream = "s-" + UUID.randomUUID();
        StreamPosition before = broker.store(stream, "1", null).join();
        redis.stop();
        try {
            assertThrows(CompletionException.class, () -> broker.store(stream, "2", null).join());
            assertTrue(outage.isLost());
            assertInstanceOf(History.Refused.class, broker.from(stream, before));
            assertThrows(CompletionException.class, () -> broker.store(stream, "3", null).join(),
                    "failing fast while lost");
        } finally {
            redis.restart();
        }
        await(() -> {
            try {
                return broker.store(stream, "4", null).join() != null;
            } catch (CompletionException stillLost) {
                return false;
            }
        }, "the broker never reached Redis again");
        assertTrue(!outage.isLost());
        assertEquals(new History.Refused("unknown epoch"), broker.from(stream, before));
    }

    @Test
    void aSnapshotRestoredOnAnotherNodeCostsItsNodeTheDisconnectOneNotRestoredDoesNot() {
        RedisSessionCache nodeA = cache(Duration.ofSeconds(1));
        RedisSessionCache nodeB = cache(Duration.ofSeconds(1));
        SessionSnapshot snapshot = new SessionSnapshot("{\"uid\":\"7\"}", Map.of("k", "v"),
                Map.of("{\"channel\":\"C\"}", new SessionSnapshot.RestoredSubscription(Map.of("i", "1"),
                        List.of("s1", "s2"), new Membership("p1", "u7", "{\"name\":\"Ann\"}"))), true);
        String restoredSid = "r" + UUID.randomUUID();
        String keptSid = "k" + UUID.randomUUID();
        List<String> expired = new CopyOnWriteArrayList<>();
        nodeA.store(restoredSid, snapshot, () -> expired.add(restoredSid));
        nodeA.store(keptSid, snapshot, () -> expired.add(keptSid));
        awaitCached(keptSid);

        assertEquals(snapshot, nodeB.restore(restoredSid));
        assertNull(nodeB.restore(restoredSid), "a snapshot is restored once");
        await(() -> expired.contains(keptSid), "the unrestored session never expired");
        assertEquals(List.of(keptSid), expired);
        assertNull(nodeB.restore(keptSid), "an expired snapshot is gone");
        try (Jedis jedis = redis.connect()) {
            assertTrue(!jedis.exists(RedisKeys.DEFAULT.session(restoredSid)));
        }
    }

    @Test
    void aSnapshotLostWithRedisDataStillGetsItsDisconnect() {
        RedisSessionCache cache = cache(Duration.ofSeconds(1));
        String sid = "l" + UUID.randomUUID();
        List<String> expired = new CopyOnWriteArrayList<>();
        cache.store(sid, new SessionSnapshot("{}", Map.of(), Map.of(), true), () -> expired.add(sid));
        awaitCached(sid);
        flushAll();
        await(() -> expired.contains(sid), "the lost session never got its expiry action");
    }

    @Test
    void liveChangesInABurstAreOneWriteOfTheLatest() throws InterruptedException {
        RedisWorkers workers = cacheWorkers();
        RedisSessionCache cache = cache(Duration.ofSeconds(60), workers);
        String sid = "b" + UUID.randomUUID();
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // The cache's one Redis thread is held, so the burst queues behind it.
        workers.submit(jedis -> {
            busy.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        busy.await();
        for (int n = 1; n <= 50; n++) {
            cache.live(sid, snapshot(Integer.toString(n)), () -> { });
        }
        try (Jedis jedis = redis.connect()) {
            jedis.configResetStat();
        }
        release.countDown();
        await(() -> cached(sid) != null, "the snapshot never reached Redis");
        assertEquals(snapshot("50"), cache.restore(sid));
        try (Jedis jedis = redis.connect()) {
            // the write, then the restore's take
            assertTrue(jedis.info("commandstats").contains("cmdstat_eval:calls=2,"), jedis.info("commandstats"));
        }
    }

    @Test
    void noWriteReplacesTheRestoredMarkerAndALiveSessionLearnsItWasTakenOver() {
        RedisSessionCache nodeA = cache(Duration.ofSeconds(1));
        RedisSessionCache nodeB = cache(Duration.ofSeconds(1));
        String liveSid = "w" + UUID.randomUUID();
        String refreshedSid = "f" + UUID.randomUUID();
        String lostSid = "l" + UUID.randomUUID();
        String keptSid = "k" + UUID.randomUUID();
        List<String> takenOver = new CopyOnWriteArrayList<>();
        List<String> expired = new CopyOnWriteArrayList<>();
        for (String sid : List.of(liveSid, refreshedSid, lostSid)) {
            nodeA.live(sid, snapshot("1"), () -> takenOver.add(sid));
            awaitCached(sid);
            assertEquals(snapshot("1"), nodeB.restore(sid));
        }
        nodeA.live(liveSid, snapshot("2"), () -> takenOver.add(liveSid));
        await(() -> takenOver.contains(liveSid), "the live write did not see the session restored elsewhere");
        // lost after its restore elsewhere (its socket was half-open): its Disconnect is the other node's
        nodeA.store(lostSid, snapshot("3"), () -> expired.add(lostSid));
        nodeA.refresh();
        await(() -> takenOver.contains(refreshedSid), "the refresh did not see the session restored elsewhere");
        nodeA.store(keptSid, snapshot("3"), () -> expired.add(keptSid));
        await(() -> expired.contains(keptSid), "the session stored later never expired");
        assertEquals(List.of(keptSid), expired);
        assertEquals(List.of(liveSid, refreshedSid), takenOver.stream().distinct().toList());
        assertEquals(List.of("restored", "restored"), List.of(cached(liveSid), cached(refreshedSid)));
    }

    /**
     * A live snapshot reaches Redis but its reply is lost as node A loses Redis; the session ends meanwhile and node
     * B restores it. As the snapshot may have been taken, the end waits for Redis instead of making the Disconnect
     * at once: once back, node A finds the session restored elsewhere and makes none (B's is the only one).
     */
    @Test
    void aSessionWhoseLiveSnapshotsReplyWasLostEndsOnlyOnceRedisAnswers() throws InterruptedException {
        try (TcpProxy toRedis = TcpProxy.start("127.0.0.1", redis.port())) {
            RedisOutage outage = new RedisOutage("test cache", "nothing", "proxy");
            RedisWorkers workers = new RedisWorkers("test-cache", 1,
                    new RedisConnector(new RedisConfig("redis://127.0.0.1:" + toRedis.port(), List.of(), true)),
                    outage);
            RedisSessionCache nodeA = cache(Duration.ofSeconds(60), workers);
            RedisSessionCache nodeB = cache(Duration.ofSeconds(60));
            String sid = "m" + UUID.randomUUID();
            workers.submit(Jedis::ping).join(); // node A's connection is open, so its replies can be muted
            toRedis.muteReplies();
            nodeA.live(sid, snapshot("1"), () -> { });
            awaitCached(sid);
            List<String> disconnects = new CopyOnWriteArrayList<>();
            nodeA.ended(sid, () -> disconnects.add(sid));
            toRedis.pause();
            toRedis.cutAll();
            await(outage::isLost, "node A never lost Redis");
            assertEquals(snapshot("1"), nodeB.restore(sid));
            toRedis.resume();
            await(() -> cached(sid) == null, "node A never settled the ended session once Redis was back");
            assertEquals(List.of(), disconnects, "node A made a Disconnect for a session restored elsewhere");
        }
    }

    @Test
    void anEndedSessionsSnapshotIsDeletedAndARefreshWritesAGoneOneAgain() {
        RedisSessionCache cache = cache(Duration.ofSeconds(60));
        RedisSessionCache otherNode = cache(Duration.ofSeconds(60));
        String endedSid = "e" + UUID.randomUUID();
        String restoredSid = "r" + UUID.randomUUID();
        String liveSid = "v" + UUID.randomUUID();
        for (String sid : List.of(endedSid, restoredSid, liveSid)) {
            cache.live(sid, snapshot("1"), () -> { });
            awaitCached(sid);
        }
        assertEquals(snapshot("1"), otherNode.restore(restoredSid));
        List<String> disconnects = new CopyOnWriteArrayList<>();
        // ended before its node saw the restore elsewhere: the Disconnect is the other node's
        cache.ended(restoredSid, () -> disconnects.add(restoredSid));
        cache.ended(endedSid, () -> disconnects.add(endedSid));
        await(() -> disconnects.contains(endedSid), "the ended session's Disconnect was not made");
        assertEquals(List.of(endedSid), disconnects);
        assertNull(cached(endedSid), "the ended session's snapshot was not deleted");
        assertEquals("restored", cached(restoredSid));
        flushAll();
        cache.refresh();
        awaitCached(liveSid);
        assertNull(cached(endedSid), "an ended session was written again");
        try (Jedis jedis = redis.connect()) {
            long ttl = jedis.ttl(RedisKeys.DEFAULT.session(liveSid));
            assertTrue(ttl > 0 && ttl <= 60, "a live snapshot expires one TTL after its last refresh: " + ttl);
        }
    }
}
