package io.jcable.redis;

import io.jcable.config.RedisConfig;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Opens connections to the Redis that {@code ANYCABLE_REDIS_URL} names, or, with {@code ANYCABLE_REDIS_SENTINELS},
 * to the current master of the set the URL's host names: each connect asks the sentinels (in order, first answer
 * wins) and checks that the server it reached is a master, so a reconnect after a failover follows the new one.
 * The only place that turns the Redis configuration into connections. Connects block: call from platform threads
 * (Jedis I/O may hold monitors, which would pin a virtual thread's carrier on JDK 21).
 */
public final class RedisConnector {
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnector.class);
    private static final int TIMEOUT_MS = 5_000;
    private static final long MAX_BACKOFF_MS = 30_000;

    private final URI url;
    private final List<HostAndPort> sentinels;
    private final JedisClientConfig clientConfig;
    private final JedisClientConfig sentinelConfig;
    private final AtomicReference<HostAndPort> lastMaster = new AtomicReference<>();

    public RedisConnector(RedisConfig config) {
        this.url = URI.create(config.url());
        this.sentinels = config.sentinels().stream().map(HostAndPort::from).toList();
        // RESP2: pub/sub pushes and stream replies are plain; skipping RESP3 negotiation avoids a warning per connect.
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(TIMEOUT_MS)
                .socketTimeoutMillis(TIMEOUT_MS)
                .autoNegotiateProtocol(false)
                .user(JedisURIHelper.getUser(url))
                .password(JedisURIHelper.getPassword(url))
                .ssl(JedisURIHelper.isRedisSSLScheme(url));
        if (JedisURIHelper.hasDbIndex(url)) {
            builder.database(JedisURIHelper.getDBIndex(url));
        }
        this.clientConfig = builder.build();
        this.sentinelConfig = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(TIMEOUT_MS)
                .socketTimeoutMillis(TIMEOUT_MS)
                .autoNegotiateProtocol(false)
                .build();
    }

    /** A new connection to the Redis (master) as configured now; the caller closes it. */
    public Jedis connect() {
        if (sentinels.isEmpty()) {
            return new Jedis(JedisURIHelper.getHostAndPort(url), clientConfig);
        }
        HostAndPort master = masterFromSentinels();
        HostAndPort previous = lastMaster.getAndSet(master);
        if (!master.equals(previous)) {
            LOG.info("Redis master {} is {} (from the sentinels{})", url.getHost(), master,
                    previous == null ? "" : ", was " + previous);
        }
        Jedis jedis = new Jedis(master, clientConfig);
        try {
            List<Object> role = jedis.role();
            if (role.isEmpty() || !"master".equals(String.valueOf(role.getFirst()))) {
                throw new JedisException(master + " is not a master (yet)");
            }
            return jedis;
        } catch (RuntimeException e) {
            jedis.close();
            throw e;
        }
    }

    private HostAndPort masterFromSentinels() {
        JedisException last = null;
        for (HostAndPort sentinel : sentinels) {
            try (Jedis jedis = new Jedis(sentinel, sentinelConfig)) {
                List<String> address = jedis.sentinelGetMasterAddrByName(url.getHost());
                if (address != null && address.size() == 2) {
                    return new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
                }
                last = new JedisException("sentinel " + sentinel + " does not know master " + url.getHost());
            } catch (JedisException e) {
                last = e;
            }
        }
        throw new JedisConnectionException("no sentinel of ANYCABLE_REDIS_SENTINELS named the master "
                + url.getHost() + ": " + (last == null ? "none configured" : last.getMessage()));
    }

    /** Where connections go, for logs (no credentials). */
    public String describe() {
        return sentinels.isEmpty() ? url.getHost() + ":" + url.getPort()
                : "master " + url.getHost() + " via sentinels " + sentinels;
    }

    /**
     * The wait after {@code attempt} failures since the last success: 250 ms after the first, then uniform in
     * [2^n, 2^(n+1)) seconds for n = 0, 1, 2, 3; once that range would pass the 30 s cap, uniform in [15, 30) s,
     * so that nodes which lost Redis together do not all come back in the same instant (broadcasting.md).
     */
    public static long backoffMillis(int attempt, RandomGenerator random) {
        if (attempt == 0) {
            return 250;
        }
        long low = 1000L << Math.min(attempt - 1, 5);
        if (2 * low > MAX_BACKOFF_MS) {
            low = MAX_BACKOFF_MS / 2;
        }
        return low + random.nextLong(low);
    }
}
