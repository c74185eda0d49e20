package io.jcable.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A private {@code redis-server} process on a free local port, for tests that need real Redis pub/sub.
 * It can be stopped and restarted on the same port to simulate an outage; a shutdown hook kills it if the
 * JVM exits without {@link #close()}.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final JedisClientConfig CLIENT_CONFIG = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(1000)
            .socketTimeoutMillis(2000)
            .autoNegotiateProtocol(false) // plain Jedis speaks RESP2 and warns on every connection otherwise
            .build();

    private final LocalServerProcess process;

    private RedisServer(LocalServerProcess process) {
        this.process = process;
    }

    /** Spawns {@code redis-server} on a free port and waits until it answers PING. */
    public static RedisServer start() {
        RedisServer server = new RedisServer(LocalServerProcess.start("redis-server", port -> List.of(
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")));
        server.awaitPing();
        return server;
    }

    /** The TCP port Redis listens on (unchanged by {@link #restart()}). */
    public int port() {
        return process.port();
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port();
    }

    /** Terminates the process (no persistence is configured) and waits for it to exit. */
    public void stop() {
        process.stop();
    }

    /** Stops the server if it runs, then starts it again on the same port and waits for PING. */
    public void restart() {
        process.restart();
        awaitPing();
    }

    /** PUBLISH; returns the number of subscribers that received the message. */
    public long publish(String channel, String message) {
        try (Jedis jedis = client()) {
            return jedis.publish(channel, message);
        }
    }

    /** {@code XADD stream * payload <payload>} (the {@code redisx} adapter's format). */
    public void xadd(String stream, String payload) {
        try (Jedis jedis = client()) {
            jedis.xadd(stream, StreamEntryID.NEW_ENTRY, Map.of("payload", payload));
        }
    }

    /** A connection of the test's own (the caller closes it). */
    public Jedis connect() {
        return client();
    }

    /** PUBSUB NUMSUB for one channel. */
    public long subscriberCount(String channel) {
        try (Jedis jedis = client()) {
            return jedis.pubsubNumSub(channel).getOrDefault(channel, 0L);
        }
    }

    /** {@code ACL SETUSER default <rules>}, e.g. {@code -subscribe} to refuse SUBSCRIBE to every client. */
    public void aclDefaultUser(String... rules) {
        try (Jedis jedis = client()) {
            jedis.aclSetUser("default", rules);
        }
    }

    /** Stops the server and deletes its log file. */
    @Override
    public void close() {
        process.close();
    }

    private Jedis client() {
        return new Jedis("127.0.0.1", port(), CLIENT_CONFIG);
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try (Jedis jedis = client()) {
                if ("PONG".equals(jedis.ping())) {
                    return;
                }
            } catch (JedisException notYet) {
                // still loading
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("redis-server did not answer PING on port " + port() + " within "
                        + START_TIMEOUT + ": " + process.logText());
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}
