/**
 * Redis connections for every Redis user (the {@code redis} and {@code redisx} adapters, the Redis pub/sub, the
 * Redis broker and session cache): {@link io.jcable.redis.RedisConnector} builds them from one configuration (URL,
 * TLS, Sentinel), {@link io.jcable.redis.RedisSubscription} keeps a SUBSCRIBE connection alive forever, and
 * {@link io.jcable.redis.RedisWorkers} run commands off the callers' threads, failing fast while Redis is lost
 * ({@link io.jcable.redis.RedisOutage}).
 */
package io.jcable.redis;
