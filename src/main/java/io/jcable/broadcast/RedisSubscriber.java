package io.jcable.broadcast;

import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The {@code redis} broadcast adapter: SUBSCRIBE to one channel on a dedicated thread and hand every message
 * to the handler, in order. Redis down at start or mid-run never stops the server: the subscriber reconnects
 * forever ({@link #backoffMillis}) and logs each failure (docs/broadcasting.md §7). The schedule starts over only once
 * a SUBSCRIBE is confirmed, so a server that accepts connections but refuses the subscription is not hammered.
 * A keepalive PING every 30 s detects a silent dead connection.
 */
public final class RedisSubscriber {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSubscriber.class);
    private static final long KEEPALIVE_MS = 30_000;
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final URI url;
    private final JedisClientConfig clientConfig;
    private final String channel;
    private final Consumer<String> handler;
    private final Counter failures;
    private final IntToLongFunction backoff;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition stopSignal = lock.newCondition();
    private final Thread thread;
    private final Thread keepaliveThread;
    private volatile boolean running;
    private volatile boolean subscribed;
    private volatile long lastPong;
    private Jedis connection;
    private JedisPubSub pubSub;
    /** Failed attempts since the last confirmed SUBSCRIBE; only the subscriber thread touches it. */
    private int attempt;

    public RedisSubscriber(String url, String channel, Consumer<String> handler, Metrics metrics) {
        this(url, channel, handler, metrics, n -> backoffMillis(n, ThreadLocalRandom.current()));
    }

    /** @param backoff milliseconds to wait after the given number of failed attempts (0 = the first failure) */
    RedisSubscriber(String url, String channel, Consumer<String> handler, Metrics metrics, IntToLongFunction backoff) {
        this.url = URI.create(url);
        // Pub/Sub messages are plain RESP2 pushes; skipping RESP3 negotiation avoids a warning per connect.
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(CONNECT_TIMEOUT_MS)
                .socketTimeoutMillis(CONNECT_TIMEOUT_MS)
                .autoNegotiateProtocol(false)
                .user(JedisURIHelper.getUser(this.url))
                .password(JedisURIHelper.getPassword(this.url))
                .ssl(JedisURIHelper.isRedisSSLScheme(this.url));
        if (JedisURIHelper.hasDbIndex(this.url)) {
            config.database(JedisURIHelper.getDBIndex(this.url));
        }
        this.clientConfig = config.build();
        this.channel = channel;
        this.handler = handler;
        this.failures = metrics.counter("redis_reconnects_total");
        this.backoff = backoff;
        metrics.gauge("redis_subscribed", () -> subscribed ? 1 : 0);
        // A platform thread: Jedis I/O may hold monitors, which would pin a virtual thread's carrier on JDK 21.
        this.thread = Thread.ofPlatform().daemon().name("jcable-redis-subscriber").unstarted(this::run);
        this.keepaliveThread = Thread.ofPlatform().daemon().name("jcable-redis-keepalive").unstarted(this::pingLoop);
    }

    public void start() {
        running = true;
        thread.start();
        keepaliveThread.start();
    }

    /** Whether the SUBSCRIBE is currently confirmed (readiness). */
    public boolean isSubscribed() {
        return subscribed;
    }

    private void run() {
        while (running) {
            try (Jedis jedis = new Jedis(JedisURIHelper.getHostAndPort(url), clientConfig)) {
                JedisPubSub listener = new Listener();
                lock.lock();
                try {
                    if (!running) {
                        return;
                    }
                    connection = jedis;
                    pubSub = listener;
                } finally {
                    lock.unlock();
                }
                jedis.subscribe(listener, channel);
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                failures.inc();
                LOG.warn("Redis subscription to {} on {}:{} lost or failed: {}", channel, url.getHost(), url.getPort(),
                        e.getMessage());
            } finally {
                subscribed = false;
                lock.lock();
                try {
                    connection = null;
                    pubSub = null;
                } finally {
                    lock.unlock();
                }
            }
            if (running) {
                waitBeforeRetry(backoff.applyAsLong(attempt++));
            }
        }
    }

    /**
     * The wait after {@code attempt} failures since the last confirmed SUBSCRIBE: 250 ms after the first, then
     * uniform in [2^n, 2^(n+1)) seconds for n = 0, 1, 2, 3; once that range would pass the 30 s cap, uniform in
     * [15, 30) s, so that nodes which lost Redis together do not all come back in the same instant.
     */
    static long backoffMillis(int attempt, RandomGenerator random) {
        if (attempt == 0) {
            return 250;
        }
        long low = 1000L << Math.min(attempt - 1, 5);
        if (2 * low > MAX_BACKOFF_MS) {
            low = MAX_BACKOFF_MS / 2;
        }
        return low + random.nextLong(low);
    }

    private void waitBeforeRetry(long millis) {
        LOG.info("Reconnecting to Redis in {} ms", millis);
        lock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(millis);
            while (running && left > 0) {
                left = stopSignal.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    private void pingLoop() {
        while (running) {
            lock.lock();
            try {
                long left = TimeUnit.MILLISECONDS.toNanos(KEEPALIVE_MS);
                while (running && left > 0) {
                    left = stopSignal.awaitNanos(left);
                }
                if (running) {
                    keepalive();
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Pings the subscribed connection; drops it when the last pong is too old, so the run loop reconnects. */
    private void keepalive() {
        if (pubSub == null || !subscribed) {
            return;
        }
        try {
            if (System.currentTimeMillis() - lastPong > 2 * KEEPALIVE_MS) {
                LOG.warn("Redis did not answer keepalive pings: reconnecting");
                connection.disconnect();
                return;
            }
            pubSub.ping();
        } catch (RuntimeException e) {
            LOG.warn("Redis keepalive failed: {}", e.getMessage());
        }
    }

    /**
     * Stops both threads: closes the connection (which ends a blocking subscribe at once) and waits for them at
     * most {@code wait} in all. A thread still in a connect attempt ends by itself within the connect timeout
     * (both are daemons), so undeploy and exit need not wait for it.
     */
    public void stop(Duration wait) {
        running = false;
        lock.lock();
        try {
            stopSignal.signalAll();
            if (connection != null) {
                connection.disconnect();
            }
        } catch (RuntimeException e) {
            LOG.debug("Closing the Redis connection failed: {}", e.getMessage());
        } finally {
            lock.unlock();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            for (Thread stopping : new Thread[] {thread, keepaliveThread}) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !stopping.join(Duration.ofNanos(left))) {
                    LOG.warn("Redis subscriber did not stop within {} ms: going on", wait.toMillis());
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Listener extends JedisPubSub {
        @Override
        public void onSubscribe(String subscribedChannel, int count) {
            subscribed = true;
            attempt = 0;
            lastPong = System.currentTimeMillis();
            LOG.info("Subscribed to Redis channel {} on {}:{}", subscribedChannel, url.getHost(), url.getPort());
        }

        @Override
        public void onMessage(String fromChannel, String message) {
            try {
                handler.accept(message);
            } catch (RuntimeException e) {
                LOG.error("Broadcast handling failed", e);
            }
        }

        @Override
        public void onPong(String pattern) {
            lastPong = System.currentTimeMillis();
        }
    }
}
