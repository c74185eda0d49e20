package io.jcable.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.config.RedisConfig;
import io.jcable.metrics.Metrics;
import io.jcable.testing.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RedisSubscriptionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A random source that always draws the lowest or the highest value of a bounded range. */
    private record Extreme(boolean highest) implements RandomGenerator {
        @Override
        public long nextLong() {
            throw new UnsupportedOperationException("only bounded draws are expected");
        }

        @Override
        public long nextLong(long bound) {
            return highest ? bound - 1 : 0;
        }
    }

    @Test
    void backoffIs250msThenDoublingRangesThenJitterUnderThe30sCap() {
        long[][] expected = {{250, 250}, {1000, 1999}, {2000, 3999}, {4000, 7999}, {8000, 15_999}, {15_000, 29_999},
                {15_000, 29_999}, {15_000, 29_999}};
        for (int attempt = 0; attempt < expected.length; attempt++) {
            assertEquals(expected[attempt][0], RedisConnector.backoffMillis(attempt, new Extreme(false)), "attempt " + attempt);
            assertEquals(expected[attempt][1], RedisConnector.backoffMillis(attempt, new Extreme(true)), "attempt " + attempt);
        }
        for (int attempt : new int[] {40, 1_000, Integer.MAX_VALUE}) {
            assertEquals(15_000, RedisConnector.backoffMillis(attempt, new Extreme(false)));
            assertEquals(29_999, RedisConnector.backoffMillis(attempt, new Extreme(true)));
        }
        Set<Long> capped = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            long delay = RedisConnector.backoffMillis(20, ThreadLocalRandom.current());
            assertTrue(delay >= 15_000 && delay < 30_000, Long.toString(delay));
            capped.add(delay);
        }
        assertTrue(capped.size() > 1, "no jitter at the cap: " + capped);
    }

    @Test
    void backoffStartsOverOnlyOnceSubscribeIsConfirmed() {
        try (RedisServer redis = RedisServer.start()) {
            // Connections are accepted, SUBSCRIBE is refused.
            redis.aclDefaultUser("-subscribe");
            BlockingQueue<Integer> attempts = new LinkedBlockingQueue<>();
            RedisConnector connector = new RedisConnector(new RedisConfig(redis.url(), List.of(), true));
            RedisSubscription subscriber = new RedisSubscription("test", connector, "ch", (channel, payload) -> { },
                    new Metrics().counter("reconnects"), attempt -> {
                attempts.add(attempt);
                return 10;
            });
            subscriber.start();
            try {
                assertEquals(List.of(0, 1, 2, 3), take(attempts, 4));
                redis.aclDefaultUser("+subscribe");
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!subscriber.isSubscribed()) {
                    assertTrue(System.nanoTime() < deadline, "never subscribed");
                    LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                }
                attempts.clear();
                redis.restart();
                assertEquals(List.of(0), take(attempts, 1));
            } finally {
                subscriber.stop(Duration.ofSeconds(5));
            }
        }
    }

    private static List<Integer> take(BlockingQueue<Integer> queue, int n) {
        List<Integer> taken = new ArrayList<>();
        try {
            while (taken.size() < n) {
                Integer next = queue.poll(WAIT.toNanos(), TimeUnit.NANOSECONDS);
                if (next == null) {
                    throw new AssertionError("only " + taken + " within " + WAIT);
                }
                taken.add(next);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return taken;
    }
}
