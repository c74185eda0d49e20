package io.jcable.pubsub;

import io.jcable.config.NatsConfig;
import io.jcable.metrics.Metrics;
import io.jcable.nats.NatsClient;
import io.jcable.nats.NatsSubjects;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NATS pub/sub between nodes: each stream is a subject ({@link NatsSubjects}), each node subscribes only to the
 * streams it serves plus the internal subject of remote commands, on one dispatcher (one thread, arrival order).
 * The client restores the subscriptions after a reconnect; a new stream's subscription counts as confirmed once
 * a flush (a PING round trip) shows the server has it.
 */
public final class NatsPubSub extends StreamPubSub {
    private static final Logger LOG = LoggerFactory.getLogger(NatsPubSub.class);
    private static final Duration FLUSH_WAIT = Duration.ofSeconds(2);

    private final String internalSubject;
    private final NatsClient client;
    private final PubSubMetrics metrics;
    private volatile Dispatcher dispatcher;
    private volatile Receiver receiver;

    public NatsPubSub(NatsConfig config, String broadcastChannel, Metrics metrics) {
        this.internalSubject = PubSub.internalChannel(broadcastChannel);
        this.metrics = PubSubMetrics.register(metrics, streams);
        this.client = new NatsClient("nats pubsub", config, this.metrics.reconnects());
    }

    @Override
    public void start(Receiver receiver) {
        this.receiver = receiver;
        client.whenConnected(connection -> {
            Dispatcher created = connection.createDispatcher(this::onMessage);
            created.subscribe(internalSubject);
            dispatcher = created;
            streams.resubscribeAll();
        });
        client.start();
    }

    @Override
    boolean unsubscribeChannels(List<String> names) {
        Dispatcher current = dispatcher;
        if (current == null) {
            return false;
        }
        names.forEach(name -> current.unsubscribe(NatsSubjects.of(name)));
        return true;
    }

    @Override
    boolean subscribeChannels(List<String> names) {
        Dispatcher current = dispatcher;
        Connection connection = client.connection();
        if (current == null || !client.isConnected()) {
            return false;
        }
        names.forEach(name -> current.subscribe(NatsSubjects.of(name)));
        if (names.size() == 1) {
            String stream = names.getFirst();
            Thread.ofVirtual().name("jcable-nats-flush").start(() -> confirm(connection, stream));
        }
        return true;
    }

    private void confirm(Connection connection, String stream) {
        try {
            connection.flush(FLUSH_WAIT);
            streams.acked(stream);
        } catch (TimeoutException e) {
            LOG.debug("NATS did not confirm the subscription to {} within {}", stream, FLUSH_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onMessage(Message message) {
        metrics.in().inc();
        String payload = new String(message.getData(), StandardCharsets.UTF_8);
        if (message.getSubject().equals(internalSubject)) {
            receiver.command(payload);
        } else {
            receiver.publication(payload);
        }
    }

    @Override
    public boolean isReady() {
        return client.isConnected() && dispatcher != null;
    }

    @Override
    public CompletableFuture<Void> publish(String stream, String payload) {
        return send(NatsSubjects.of(stream), payload);
    }

    @Override
    public CompletableFuture<Void> publishCommand(String payload) {
        return send(internalSubject, payload);
    }

    /** NATS buffers writes itself; while disconnected, publishing fails at once rather than piling up. */
    private CompletableFuture<Void> send(String subject, String payload) {
        Connection connection = client.connection();
        if (connection == null || !client.isConnected()) {
            metrics.errors().inc();
            return CompletableFuture.failedFuture(new IllegalStateException("NATS pub/sub is not connected"));
        }
        try {
            connection.publish(subject, payload.getBytes(StandardCharsets.UTF_8));
            metrics.out().inc();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            metrics.errors().inc();
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void stop(Duration wait) {
        client.stop();
    }
}
