/**
 * Redis connections for every Redis user (the {@code redis} and {@code redisx} adapters, the Redis pub/sub):
 * {@link io.jcable.redis.RedisConnector} builds them from one configuration (URL, TLS, Sentinel) and
 * {@link io.jcable.redis.RedisSubscription} keeps a SUBSCRIBE connection alive forever.
 */
package io.jcable.redis;
