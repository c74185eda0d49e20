package io.jcable.config;

import java.util.Set;

/**
 * Broadcast ingest and node-to-node options.
 *
 * @param adapters      {@code ANYCABLE_BROADCAST_ADAPTER}, default {@code http,redis}; also {@code redisx}, {@code nats}
 * @param redisChannel  {@code ANYCABLE_REDIS_CHANNEL}, default {@code __anycable__}
 * @param httpPath      {@code ANYCABLE_HTTP_BROADCAST_PATH}, default {@code /_broadcast}
 * @param broadcastKey  {@code ANYCABLE_BROADCAST_KEY}, else derived from {@code ANYCABLE_SECRET}; null when neither
 *                      is set (HTTP broadcasts are then refused) or when {@code broadcastOpen}
 * @param broadcastOpen {@code ANYCABLE_BROADCAST_KEY=none}: HTTP broadcasts are accepted without a key
 * @param redisxStream  {@code ANYCABLE_REDISX_STREAM}, default {@code __anycable__}
 * @param natsChannel   {@code ANYCABLE_NATS_CHANNEL}, default {@code __anycable__}
 * @param pubsub        {@code ANYCABLE_PUBSUB}: {@code none}, {@code redis}, {@code nats}; unset = {@code redis} when
 *                      {@code ANYCABLE_REDIS_URL} is set or {@code redisx} is used, else none (docs/broadcasting.md)
 * @param nodeId        {@code ANYCABLE_NODE_ID}, default 6 random characters: the redisx consumer name, logs
 */
public record BroadcastConfig(Set<String> adapters, String redisChannel, String httpPath, String broadcastKey,
                              boolean broadcastOpen, String redisxStream, String natsChannel, PubSubKind pubsub,
                              String nodeId) {

    public boolean redis() {
        return adapters.contains("redis");
    }

    public boolean http() {
        return adapters.contains("http");
    }

    public boolean redisx() {
        return adapters.contains("redisx");
    }

    public boolean nats() {
        return adapters.contains("nats");
    }
}
