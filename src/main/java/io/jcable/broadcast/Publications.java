package io.jcable.broadcast;

import io.jcable.broker.Broker;
import io.jcable.hub.Hub;
import io.jcable.metrics.Histogram;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.Json;
import io.jcable.protocol.StreamPosition;
import io.jcable.pubsub.PubSub;
import io.jcable.pubsub.TransientPublisher;

/**
 * The two ways of a publication: {@link #distribute} hands it to the pub/sub, which brings it back on every node
 * (this one included), and {@link #deliver} gives it to this node's subscribers, stored by the broker first unless
 * it is transient. The server's own transient messages (whispers, presence events) take the first way too.
 */
public final class Publications implements TransientPublisher {
    private final Hub hub;
    private final Broker broker;
    private final PubSub pubsub;
    private final Histogram fanout;

    public Publications(Hub hub, Broker broker, PubSub pubsub, Metrics metrics) {
        this.hub = hub;
        this.broker = broker;
        this.pubsub = pubsub;
        this.fanout = metrics.histogram("broadcast_fanout_duration_seconds");
    }

    @Override
    public void publish(String stream, String data, String excludeSocket, String broadcastType) {
        distribute(new BroadcastMessage.Publication(stream, data, excludeSocket, broadcastType, true), null);
    }

    /**
     * Publishes through the pub/sub; {@code payload} is the publication's own text when it came alone. What the
     * pub/sub cannot take (it is down) is delivered on this node rather than dropped.
     */
    void distribute(BroadcastMessage.Publication publication, String payload) {
        pubsub.publish(publication.stream(), payload != null ? payload : publication.toJson())
                .exceptionally(e -> {
                    deliver(publication);
                    return null;
                });
    }

    /** Delivers on this node: stored and positioned by the broker unless transient, then fanned out. */
    void deliver(BroadcastMessage.Publication publication) {
        String message = Json.embed(publication.data());
        StreamPosition position = publication.transientData() ? null
                : broker.store(publication.stream(), message, publication.broadcastType());
        // The time the hand-off to every subscriber's queue takes is the fan-out histogram.
        long start = System.nanoTime();
        hub.broadcast(publication.stream(), message, publication.excludeSocket(), publication.broadcastType(),
                position);
        fanout.observeNanos(System.nanoTime() - start);
    }
}
