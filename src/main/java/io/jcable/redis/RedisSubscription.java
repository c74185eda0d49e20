package io.jcable.redis;

import io.jcable.metrics.Counter;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * A SUBSCRIBE connection kept alive forever on a dedicated platform thread: it subscribes to its first channel,
 * hands every message to the handler in order, and reconnects after any failure ({@link RedisConnector#backoffMillis},
 * each failure logged and counted). The schedule starts over only once a SUBSCRIBE is confirmed, so a server that
 * accepts connections but refuses the subscription (an ACL) is not hammered. A keepalive PING every 30 s detects
 * a silent dead connection. More channels can be added and dropped on the live connection ({@link #subscribe},
 * {@link #unsubscribe}); after a reconnect the handler's {@link Handler#connected} re-subscribes what it needs.
 */
public final class RedisSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSubscription.class);
    private static final Duration KEEPALIVE = Duration.ofSeconds(30);

    /** What the subscription reports; all called on its thread, in order. */
    public interface Handler {
        void message(String channel, String message);

        /** The first channel is confirmed on a new connection. */
        default void connected() {
        }

        /** A SUBSCRIBE for {@code channel} is confirmed. */
        default void subscribed(String channel) {
        }
    }

    private final String name;
    private final RedisConnector connector;
    private final String firstChannel;
    private final Handler handler;
    private final Counter failures;
    private final IntToLongFunction backoff;
    private final RetryClock clock = new RetryClock();
    /** Guards {@link #connection} and {@link #pubSub} and every write on the connection from other threads. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread thread;
    private final Thread keepaliveThread;
    private volatile boolean subscribed;
    private volatile long lastPong;
    private Jedis connection;
    private JedisPubSub pubSub;
    /** Failed attempts since the last confirmed SUBSCRIBE; only the subscription thread touches it. */
    private int attempt;

    /**
     * @param name    for logs and thread names (e.g. {@code redis broadcast})
     * @param backoff milliseconds to wait after the given number of failed attempts (0 = the first failure)
     */
    public RedisSubscription(String name, RedisConnector connector, String firstChannel, Handler handler,
                             Counter failures, IntToLongFunction backoff) {
        this.name = name;
        this.connector = connector;
        this.firstChannel = firstChannel;
        this.handler = handler;
        this.failures = failures;
        this.backoff = backoff;
        String threadName = "jcable-" + name.replace(' ', '-');
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::run);
        this.keepaliveThread = Thread.ofPlatform().daemon().name(threadName + "-keepalive").unstarted(this::pingLoop);
    }

    public void start() {
        thread.start();
        keepaliveThread.start();
    }

    /** Whether the first channel's SUBSCRIBE is confirmed on the live connection (readiness). */
    public boolean isSubscribed() {
        return subscribed;
    }

    /** Sends SUBSCRIBE for {@code channels} on the live connection; false when there is none (nothing sent). */
    public boolean subscribe(Collection<String> channels) {
        return write(pubSub -> pubSub.subscribe(channels.toArray(String[]::new)));
    }

    /** Sends UNSUBSCRIBE for {@code channels} on the live connection; false when there is none. */
    public boolean unsubscribe(Collection<String> channels) {
        return write(pubSub -> pubSub.unsubscribe(channels.toArray(String[]::new)));
    }

    private boolean write(java.util.function.Consumer<JedisPubSub> command) {
        lock.lock();
        try {
            if (pubSub == null || !subscribed) {
                return false;
            }
            command.accept(pubSub);
            return true;
        } catch (RuntimeException e) {
            LOG.debug("{}: write on the subscription failed: {}", name, e.getMessage());
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (clock.running()) {
            try (Jedis jedis = connector.connect()) {
                JedisPubSub listener = new Listener();
                lock.lock();
                try {
                    if (!clock.running()) {
                        return;
                    }
                    connection = jedis;
                    pubSub = listener;
                } finally {
                    lock.unlock();
                }
                jedis.subscribe(listener, firstChannel);
            } catch (RuntimeException e) {
                if (!clock.running()) {
                    return;
                }
                failures.inc();
                LOG.warn("{}: SUBSCRIBE {} on Redis {} lost or failed (check ANYCABLE_REDIS_URL and the ACL): {}",
                        name, firstChannel, connector.describe(), e.getMessage());
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
            if (clock.running()) {
                long millis = backoff.applyAsLong(attempt++);
                LOG.info("{}: reconnecting to Redis in {} ms", name, millis);
                clock.pause(Duration.ofMillis(millis));
            }
        }
    }

    private void pingLoop() {
        while (clock.pause(KEEPALIVE)) {
            keepalive();
        }
    }

    /** Pings the subscribed connection; drops it when the last pong is too old, so the run loop reconnects. */
    private void keepalive() {
        lock.lock();
        try {
            if (pubSub == null || !subscribed) {
                return;
            }
            if (System.currentTimeMillis() - lastPong > 2 * KEEPALIVE.toMillis()) {
                LOG.warn("{}: Redis did not answer keepalive pings: reconnecting", name);
                connection.disconnect();
                return;
            }
            pubSub.ping();
        } catch (RuntimeException e) {
            LOG.warn("{}: Redis keepalive failed: {}", name, e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops both threads: closes the connection (which ends a blocking subscribe at once) and waits for them at
     * most {@code wait} in all. A thread still in a connect attempt ends by itself within the connect timeout
     * (both are daemons), so undeploy and exit need not wait for it.
     */
    public void stop(Duration wait) {
        clock.stop();
        lock.lock();
        try {
            if (connection != null) {
                connection.disconnect();
            }
        } catch (RuntimeException e) {
            LOG.debug("{}: closing the Redis connection failed: {}", name, e.getMessage());
        } finally {
            lock.unlock();
        }
        if (!RetryClock.join(wait, thread, keepaliveThread)) {
            LOG.warn("{}: did not stop within {} ms: going on", name, wait.toMillis());
        }
    }

    private final class Listener extends JedisPubSub {
        @Override
        public void onSubscribe(String channel, int count) {
            if (channel.equals(firstChannel)) {
                subscribed = true;
                attempt = 0;
                lastPong = System.currentTimeMillis();
                LOG.info("{}: subscribed to Redis channel {} on {}", name, channel, connector.describe());
                handler.connected();
            }
            handler.subscribed(channel);
        }

        @Override
        public void onMessage(String channel, String message) {
            try {
                handler.message(channel, message);
            } catch (RuntimeException e) {
                LOG.error("{}: handling a message on {} failed", name, channel, e);
            }
        }

        @Override
        public void onPong(String pattern) {
            lastPong = System.currentTimeMillis();
        }
    }
}
