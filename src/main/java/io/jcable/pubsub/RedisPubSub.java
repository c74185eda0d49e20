package io.jcable.pubsub;

import io.jcable.metrics.Metrics;
import io.jcable.redis.RedisConnector;
import io.jcable.redis.RedisSubscription;
import io.jcable.redis.RetryClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Redis pub/sub between nodes (broadcasting.md §5): each stream is a Redis channel named exactly like it; a node
 * subscribes only to the streams it has local subscribers for, plus the internal channel of remote commands. A
 * {@link RedisSubscription} receives (and re-subscribes every stream after a reconnect, in batches of 256); one
 * platform thread publishes on a connection of its own, pipelining what has queued up, in publish order.
 * While that connection is down, publishing fails at once instead of queueing (the caller delivers locally or
 * retries), and the thread reconnects with the usual backoff.
 */
public final class RedisPubSub extends StreamPubSub {
    private static final Logger LOG = LoggerFactory.getLogger(RedisPubSub.class);
    /** Publications pipelined in one round trip. */
    private static final int PIPELINE = 256;
    /** Publications waiting for the publisher; past this, publishing fails (the caller delivers locally). */
    private static final int QUEUE_LIMIT = 65_536;

    private record Outgoing(String channel, String payload, CompletableFuture<Void> done) {
    }

    private final RedisConnector connector;
    private final String internalChannel;
    private final PubSubMetrics metrics;
    private final RedisSubscription subscription;
    private final BlockingQueue<Outgoing> queue = new LinkedBlockingQueue<>(QUEUE_LIMIT);
    private final RetryClock clock = new RetryClock();
    private final Thread publisher;
    private volatile boolean publisherUp;
    private volatile Receiver receiver;

    public RedisPubSub(RedisConnector connector, String broadcastChannel, Metrics metrics) {
        this.connector = connector;
        this.internalChannel = PubSub.internalChannel(broadcastChannel);
        this.metrics = PubSubMetrics.register(metrics, streams);
        this.subscription = new RedisSubscription("redis pubsub", connector, internalChannel, new Handler(),
                this.metrics.reconnects(), n -> RedisConnector.backoffMillis(n, ThreadLocalRandom.current()));
        this.publisher = Thread.ofPlatform().daemon().name("jcable-redis-pubsub-publisher").unstarted(this::publishLoop);
    }

    @Override
    boolean subscribeChannels(List<String> channels) {
        return subscription.subscribe(channels);
    }

    @Override
    boolean unsubscribeChannels(List<String> channels) {
        return subscription.unsubscribe(channels);
    }

    @Override
    public void start(Receiver receiver) {
        this.receiver = receiver;
        subscription.start();
        publisher.start();
    }

    @Override
    public boolean isReady() {
        return subscription.isSubscribed() && publisherUp;
    }

    @Override
    public CompletableFuture<Void> publish(String stream, String payload) {
        return enqueue(stream, payload);
    }

    @Override
    public CompletableFuture<Void> publishCommand(String payload) {
        return enqueue(internalChannel, payload);
    }

    private CompletableFuture<Void> enqueue(String channel, String payload) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!publisherUp || !queue.offer(new Outgoing(channel, payload, done))) {
            metrics.errors().inc();
            done.completeExceptionally(new IllegalStateException("Redis pub/sub is not connected"));
        }
        return done;
    }

    private void publishLoop() {
        int attempt = 0;
        while (clock.running()) {
            try (Jedis jedis = connector.connect()) {
                jedis.ping();
                publisherUp = true;
                attempt = 0;
                LOG.info("Redis pub/sub publishing on {}", connector.describe());
                List<Outgoing> batch = new ArrayList<>(PIPELINE);
                while (clock.running()) {
                    Outgoing first = queue.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        jedis.ping(); // an idle connection that died (a failover) is found before the next publish
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, PIPELINE - 1);
                    send(jedis, batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!clock.running()) {
                    return;
                }
                metrics.reconnects().inc();
                LOG.warn("Redis pub/sub publisher on {} lost or failed (check ANYCABLE_REDIS_URL and the ACL for "
                        + "PUBLISH): {}", connector.describe(), e.getMessage());
            }
            publisherUp = false;
            failQueued();
            long millis = RedisConnector.backoffMillis(attempt++, ThreadLocalRandom.current());
            clock.pause(Duration.ofMillis(millis));
        }
    }

    /** Pipelines the batch; on a failure fails its futures and rethrows (the loop reconnects). */
    private void send(Jedis jedis, List<Outgoing> batch) {
        try {
            Pipeline pipeline = jedis.pipelined();
            for (Outgoing message : batch) {
                pipeline.publish(message.channel(), message.payload());
            }
            pipeline.sync();
            metrics.out().add(batch.size());
            batch.forEach(message -> message.done().complete(null));
        } catch (RuntimeException e) {
            metrics.errors().add(batch.size());
            batch.forEach(message -> message.done().completeExceptionally(e));
            throw e;
        } finally {
            batch.clear();
        }
    }

    private void failQueued() {
        List<Outgoing> left = new ArrayList<>();
        queue.drainTo(left);
        IllegalStateException down = new IllegalStateException("Redis pub/sub connection lost");
        metrics.errors().add(left.size());
        left.forEach(message -> message.done().completeExceptionally(down));
    }

    @Override
    public void stop(Duration wait) {
        clock.stop();
        subscription.stop(wait);
        publisher.interrupt();
        if (!RetryClock.join(wait, publisher)) {
            LOG.warn("Redis pub/sub publisher did not stop within {} ms: going on", wait.toMillis());
        }
        failQueued();
    }

    private final class Handler implements RedisSubscription.Handler {
        @Override
        public void connected() {
            // Not on the reading thread: with many streams, Redis's confirmations must be read while we write.
            Thread.ofPlatform().daemon().name("jcable-redis-pubsub-resubscribe").start(streams::resubscribeAll);
        }

        @Override
        public void subscribed(String channel) {
            streams.acked(channel);
        }

        @Override
        public void message(String channel, String message) {
            metrics.in().inc();
            if (channel.equals(internalChannel)) {
                receiver.command(message);
            } else {
                receiver.publication(message);
            }
        }
    }
}
