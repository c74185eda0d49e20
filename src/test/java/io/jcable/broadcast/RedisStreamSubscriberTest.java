package io.jcable.broadcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.config.RedisConfig;
import io.jcable.metrics.Metrics;
import io.jcable.redis.RedisConnector;
import io.jcable.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;

class RedisStreamSubscriberTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void acknowledgedEntriesAreTrimmedAndEntriesWithoutAPayloadAreSkipped() {
        try (RedisServer redis = RedisServer.start(); Jedis jedis = redis.connect()) {
            AtomicInteger handled = new AtomicInteger();
            Metrics metrics = new Metrics();
            RedisStreamSubscriber subscriber = new RedisStreamSubscriber(
                    new RedisConnector(new RedisConfig(redis.url(), List.of(), true)), "s", "n1", payload -> {
                        handled.incrementAndGet();
                        return CompletableFuture.completedFuture(null);
                    }, metrics, Duration.ofMillis(100));
            jedis.xadd("s", StreamEntryID.NEW_ENTRY, Map.of("other", "field"));
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 1000; i++) {
                pipeline.xadd("s", StreamEntryID.NEW_ENTRY, Map.of("payload", "{\"stream\":\"a\",\"data\":\"" + i + "\"}"));
            }
            pipeline.sync();
            subscriber.start();
            try {
                await(() -> handled.get() == 1000, "not every entry was handled");
                assertEquals(1, metrics.value("failed_broadcast_msg_total"));
                await(() -> jedis.xpending("s", RedisStreamSubscriber.GROUP).getTotal() == 0, "entries left pending");
                // Approximate trimming drops whole stream nodes (100 entries each by default).
                await(() -> jedis.xlen("s") <= 100, "the acknowledged entries were not trimmed");
                assertTrue(subscriber.isReady());
            } finally {
                subscriber.stop(Duration.ofSeconds(2));
            }
        }
    }

    private static void await(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, failure);
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }
}
