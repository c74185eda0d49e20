package io.jcable.config;

import java.util.List;

/**
 * How every Redis user (the {@code redis} and {@code redisx} adapters, the Redis pub/sub) reaches Redis.
 *
 * @param url       {@code ANYCABLE_REDIS_URL}, else {@code REDIS_URL}, default {@code redis://localhost:6379};
 *                  {@code rediss://} = TLS. With sentinels its host part names the master (as anycable-go reads it)
 * @param sentinels {@code ANYCABLE_REDIS_SENTINELS}, {@code host:port} comma list, default none
 * @param explicit  whether the URL was set (a non-default Redis turns the Redis pub/sub on, broadcasting.md)
 */
public record RedisConfig(String url, List<String> sentinels, boolean explicit) {
    public static final String DEFAULT_URL = "redis://localhost:6379";
}
