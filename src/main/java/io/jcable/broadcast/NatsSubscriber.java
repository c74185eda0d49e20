package io.jcable.broadcast;

import io.jcable.config.NatsConfig;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.nats.NatsClient;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code nats} adapter: subscribes to {@code ANYCABLE_NATS_CHANNEL} at {@code ANYCABLE_NATS_SERVERS}; every node
 * gets every message (fan-out) and hands it to the handler on the dispatcher's thread, in arrival order.
 */
public final class NatsSubscriber {
    private static final Logger LOG = LoggerFactory.getLogger(NatsSubscriber.class);

    private final NatsClient client;
    private final String subject;
    private final Consumer<String> handler;
    private final Counter received;
    private volatile boolean subscribed;

    public NatsSubscriber(NatsConfig config, String subject, Consumer<String> handler, Metrics metrics) {
        this.client = new NatsClient("nats broadcast", config, metrics.counter("nats_reconnects_total"));
        this.subject = subject;
        this.handler = handler;
        this.received = metrics.counter("nats_broadcast_msg_total");
    }

    public void start() {
        client.whenConnected(connection -> {
            connection.createDispatcher(message -> {
                received.inc();
                try {
                    handler.accept(new String(message.getData(), StandardCharsets.UTF_8));
                } catch (RuntimeException e) {
                    LOG.error("nats broadcast: handling a message failed", e);
                }
            }).subscribe(subject);
            subscribed = true;
            LOG.info("nats broadcast: subscribed to subject {}", subject);
        });
        client.start();
    }

    /** Connected and subscribed (readiness). */
    public boolean isReady() {
        return subscribed && client.isConnected();
    }

    public void stop() {
        client.stop();
    }
}
