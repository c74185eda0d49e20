package io.jcable.broadcast;

import io.jcable.broker.Broker;
import io.jcable.hub.Hub;
import io.jcable.metrics.Histogram;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.Json;
import io.jcable.protocol.StreamPosition;
import io.jcable.pubsub.PubSub;
import io.jcable.pubsub.TransientPublisher;
import java.util.concurrent.CompletableFuture;

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
        distribute(new BroadcastMessage.Publication(stream, data, excludeSocket, broadcastType, true, null), null,
                true);
    }

    /**
     * Hands a publication to the pub/sub, stored first by a cluster-wide broker (in call order, so publications
     * keep their order); {@code payload} is the publication's own text when it came alone. With
     * {@code deliverHereOnFailure}, what the pub/sub cannot take (it is down) is delivered on this node instead.
     */
    CompletableFuture<Void> distribute(BroadcastMessage.Publication publication, String payload,
                                       boolean deliverHereOnFailure) {
        if (!broker.clusterWide()) {
            CompletableFuture<Void> sent = pubsub.publish(publication.stream(),
                    payload != null ? payload : publication.toJson());
            return deliverHereOnFailure ? sent.exceptionally(e -> {
                deliver(publication);
                return null;
            }) : sent;
        }
        CompletableFuture<StreamPosition> stored = publication.transientData()
                ? CompletableFuture.completedFuture(null)
                : broker.store(publication.stream(), Json.embed(publication.data()), publication.broadcastType())
                .exceptionally(notStored -> null);
        // Re-encoded even when alone: a position the publisher wrote itself must not travel as the broker's.
        return stored.thenCompose(position -> {
            CompletableFuture<Void> sent = pubsub.publish(publication.stream(), publication.at(position).toJson());
            return deliverHereOnFailure ? sent.exceptionally(e -> {
                toHub(publication, Json.embed(publication.data()), position);
                return null;
            }) : sent;
        });
    }

    /** A publication from the pub/sub: at the position it carries with a cluster-wide broker, else stored here. */
    void received(BroadcastMessage.Publication publication) {
        if (broker.clusterWide()) {
            toHub(publication, Json.embed(publication.data()), publication.position());
        } else {
            deliver(publication);
        }
    }

    /**
     * Delivers on this node: stored and positioned by a local broker unless transient, then fanned out. With a
     * cluster-wide broker (a fan-out adapter's publication, which every node gets) without a position.
     */
    void deliver(BroadcastMessage.Publication publication) {
        String message = Json.embed(publication.data());
        StreamPosition position = publication.transientData() || broker.clusterWide() ? null
                : broker.store(publication.stream(), message, publication.broadcastType()).join();
        toHub(publication, message, position);
    }

    /** Hands the publication at {@code position} (null: none) to the hub of this node. */
    private void toHub(BroadcastMessage.Publication publication, String message, StreamPosition position) {
        // The time the hand-off to every subscriber's queue takes is the fan-out histogram.
        long start = System.nanoTime();
        hub.broadcast(publication.stream(), message, publication.excludeSocket(), publication.broadcastType(),
                position);
        fanout.observeNanos(System.nanoTime() - start);
    }
}
