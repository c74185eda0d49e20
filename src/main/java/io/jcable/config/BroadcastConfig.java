package io.jcable.config;

import java.util.Set;

/**
 * Broadcast ingest options.
 *
 * @param adapters      {@code ANYCABLE_BROADCAST_ADAPTER}, default {@code http,redis}
 * @param redisUrl      {@code ANYCABLE_REDIS_URL}, else {@code REDIS_URL}, default {@code redis://localhost:6379}
 * @param redisChannel  {@code ANYCABLE_REDIS_CHANNEL}, default {@code __anycable__}
 * @param httpPath      {@code ANYCABLE_HTTP_BROADCAST_PATH}, default {@code /_broadcast}
 * @param broadcastKey  {@code ANYCABLE_BROADCAST_KEY}, else derived from {@code ANYCABLE_SECRET}; null when neither
 *                      is set (HTTP broadcasts are then refused) or when {@code broadcastOpen}
 * @param broadcastOpen {@code ANYCABLE_BROADCAST_KEY=none}: HTTP broadcasts are accepted without a key
 */
public record BroadcastConfig(Set<String> adapters, String redisUrl, String redisChannel, String httpPath,
                              String broadcastKey, boolean broadcastOpen) {

    public boolean redis() {
        return adapters.contains("redis");
    }

    public boolean http() {
        return adapters.contains("http");
    }
}
