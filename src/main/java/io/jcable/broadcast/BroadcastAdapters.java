package io.jcable.broadcast;

import io.jcable.config.BroadcastConfig;
import io.jcable.config.NatsConfig;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.redis.RedisConnector;
import io.jcable.redis.RedisSubscription;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The configured ingest adapters that hold connections ({@code redis}, {@code redisx}, {@code nats}; {@code http} is
 * a servlet), started and stopped together; ready when every one of them is connected.
 */
public final class BroadcastAdapters {
    private final RedisSubscription redis;
    private final RedisStreamSubscriber redisx;
    private final NatsSubscriber nats;

    public BroadcastAdapters(BroadcastConfig config, RedisConnector connector, NatsConfig natsConfig,
                             BroadcastHandler handler, Metrics metrics) {
        if (config.redis()) {
            Counter received = metrics.counter("redis_broadcast_msg_total");
            redis = new RedisSubscription("redis broadcast", connector, config.redisChannel(), (channel, message) -> {
                received.inc();
                handler.deliverHere(message);
            }, metrics.counter("redis_reconnects_total"),
                    attempt -> RedisConnector.backoffMillis(attempt, ThreadLocalRandom.current()));
            metrics.gauge("redis_subscribed", () -> redis.isSubscribed() ? 1 : 0);
        } else {
            redis = null;
        }
        redisx = config.redisx() ? new RedisStreamSubscriber(connector, config.redisxStream(), config.nodeId(),
                handler::acceptReliably, metrics) : null;
        nats = config.nats() ? new NatsSubscriber(natsConfig, config.natsChannel(), handler::deliverHere, metrics)
                : null;
    }

    public void start() {
        if (redis != null) {
            redis.start();
        }
        if (redisx != null) {
            redisx.start();
        }
        if (nats != null) {
            nats.start();
        }
    }

    public boolean isReady() {
        return (redis == null || redis.isSubscribed()) && (redisx == null || redisx.isReady())
                && (nats == null || nats.isReady());
    }

    /** Stops every adapter, each waiting at most {@code wait} for its threads. */
    public void stop(Duration wait) {
        if (nats != null) {
            nats.stop();
        }
        if (redisx != null) {
            redisx.stop(wait);
        }
        if (redis != null) {
            redis.stop(wait);
        }
    }
}
