package io.jcable.broadcast;

import io.jcable.broker.Broker;
import io.jcable.hub.Hub;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Histogram;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.Json;
import io.jcable.protocol.LogText;
import io.jcable.protocol.StreamPosition;
import io.jcable.pubsub.PubSub;
import io.jcable.session.RemoteDisconnects;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where broadcast payloads enter, from any adapter. Fan-out adapters ({@code redis}, {@code nats}: every node gets
 * every message) deliver on this node only ({@link #deliverHere}). The others ({@code http}, {@code redisx}: one
 * node gets a message) hand it to the pub/sub ({@link #accept}), and every node, this one included, delivers it
 * when it comes back from there ({@link #publication}, {@link #command}), so each session gets it exactly once. The
 * payload's counters ({@code publications_total}, {@code broadcast_msg_total}, {@code remote_commands_total},
 * {@code failed_broadcast_msg_total}) count on the node where it entered. A local broker ({@code memory}) stores
 * what is not transient before the hub, on each node (each numbers its own copy). A cluster-wide broker
 * ({@code redis}) stores it once, where it entered, before the pub/sub, which carries the position to every node;
 * a publication it cannot store (Redis lost) travels without one, and fan-out adapters' publications, which every
 * node gets, are delivered without one (storing on every node would number each several times).
 */
public final class BroadcastHandler implements PubSub.Receiver {
    private static final Logger LOG = LoggerFactory.getLogger(BroadcastHandler.class);

    private final Hub hub;
    private final Broker broker;
    private final RemoteDisconnects remoteDisconnects;
    private final PubSub pubsub;
    private final Counter publications;
    private final Counter streamMessages;
    private final Counter remoteCommands;
    private final Counter failed;
    private final Histogram fanout;

    public BroadcastHandler(Hub hub, Broker broker, RemoteDisconnects remoteDisconnects, PubSub pubsub,
                            Metrics metrics) {
        this.hub = hub;
        this.broker = broker;
        this.remoteDisconnects = remoteDisconnects;
        this.pubsub = pubsub;
        this.publications = metrics.counter("publications_total");
        this.streamMessages = metrics.counter("broadcast_msg_total");
        this.remoteCommands = metrics.counter("remote_commands_total");
        this.failed = metrics.counter("failed_broadcast_msg_total");
        this.fanout = metrics.histogram("broadcast_fanout_duration_seconds");
    }

    /** A payload from a fan-out adapter: delivered and executed on this node. */
    public BroadcastMessage deliverHere(String payload) {
        BroadcastMessage message = count(payload);
        switch (message) {
            case BroadcastMessage.Publication publication -> deliver(publication);
            case BroadcastMessage.Batch batch -> batch.publications().forEach(this::deliver);
            case BroadcastMessage.RemoteDisconnect disconnect -> disconnect(disconnect);
            default -> {
            }
        }
        return message;
    }

    /**
     * A payload that reached only this node ({@code http}): distributed through the pub/sub; what the pub/sub
     * cannot take (it is down) is delivered on this node rather than dropped. Returns what it was parsed as.
     */
    public BroadcastMessage accept(String payload) {
        BroadcastMessage message = count(payload);
        switch (message) {
            case BroadcastMessage.Publication publication -> distribute(publication, payload, true);
            case BroadcastMessage.Batch batch -> batch.publications().forEach(p -> distribute(p, null, true));
            case BroadcastMessage.RemoteDisconnect disconnect -> pubsub.publishCommand(payload)
                    .exceptionally(e -> {
                        disconnect(disconnect);
                        return null;
                    });
            default -> {
            }
        }
        return message;
    }

    /**
     * A payload from a source that redelivers ({@code redisx}): completes when every part was handed to the pub/sub,
     * fails when one could not be (the source keeps the message and retries). Invalid payloads complete at once.
     */
    public CompletableFuture<Void> acceptReliably(String payload) {
        BroadcastMessage message = count(payload);
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        switch (message) {
            case BroadcastMessage.Publication publication -> sent.add(distribute(publication, payload, false));
            case BroadcastMessage.Batch batch -> batch.publications()
                    .forEach(p -> sent.add(distribute(p, null, false)));
            case BroadcastMessage.RemoteDisconnect disconnect -> sent.add(pubsub.publishCommand(payload));
            default -> {
            }
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    /** A publication from the pub/sub: delivered on this node (at the position it carries, if cluster-wide). */
    @Override
    public void publication(String payload) {
        if (BroadcastParser.parse(payload) instanceof BroadcastMessage.Publication publication) {
            if (broker.clusterWide()) {
                toHub(publication, publication.position());
            } else {
                deliver(publication);
            }
        } else {
            failed.inc();
            LOG.warn("Invalid publication from the pub/sub dropped: {}", LogText.clip(payload));
        }
    }

    /** A remote command from the pub/sub: executed on this node. */
    @Override
    public void command(String payload) {
        switch (BroadcastParser.parse(payload)) {
            case BroadcastMessage.RemoteDisconnect disconnect -> disconnect(disconnect);
            case BroadcastMessage.UnknownCommand unknown -> LOG.warn("Unknown remote command ignored: {}",
                    LogText.clip(unknown.command()));
            default -> {
                failed.inc();
                LOG.warn("Invalid remote command from the pub/sub dropped: {}", LogText.clip(payload));
            }
        }
    }

    /** Parses and counts a payload where it entered; logs what is dropped. */
    private BroadcastMessage count(String payload) {
        BroadcastMessage message = BroadcastParser.parse(payload);
        switch (message) {
            case BroadcastMessage.Publication publication -> {
                publications.inc();
                streamMessages.inc();
            }
            case BroadcastMessage.Batch batch -> {
                if (!batch.skipped().isEmpty()) {
                    failed.add(batch.skipped().size());
                    LOG.warn("Invalid batch elements dropped ({}): {}", String.join("; ", batch.skipped()),
                            LogText.clip(payload));
                }
                if (!batch.publications().isEmpty()) {
                    publications.inc();
                    streamMessages.add(batch.publications().size());
                }
            }
            case BroadcastMessage.RemoteDisconnect disconnect -> remoteCommands.inc();
            case BroadcastMessage.UnknownCommand unknown -> {
                remoteCommands.inc();
                LOG.warn("Unknown remote command ignored: {}", LogText.clip(unknown.command()));
            }
            case BroadcastMessage.Invalid invalid -> {
                failed.inc();
                LOG.warn("Invalid broadcast dropped ({}): {}", invalid.reason(), LogText.clip(payload));
            }
        }
        return message;
    }

    /**
     * Hands a publication to the pub/sub, stored first by a cluster-wide broker (in call order, so publications
     * keep their order); {@code payload} is the publication's own text when it came alone. With
     * {@code deliverHereOnFailure}, what the pub/sub cannot take is delivered on this node instead.
     */
    private CompletableFuture<Void> distribute(BroadcastMessage.Publication publication, String payload,
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
                toHub(publication, position);
                return null;
            }) : sent;
        });
    }

    /** Stores with a local broker (each node its own copy), then hands to the hub; cluster-wide: no position. */
    private void deliver(BroadcastMessage.Publication publication) {
        String message = Json.embed(publication.data());
        StreamPosition position = publication.transientData() || broker.clusterWide() ? null
                : broker.store(publication.stream(), message, publication.broadcastType()).join();
        toHub(publication, message, position);
    }

    /** Hands the publication at {@code position} (null: none) to the hub of this node. */
    private void toHub(BroadcastMessage.Publication publication, StreamPosition position) {
        toHub(publication, Json.embed(publication.data()), position);
    }

    private void toHub(BroadcastMessage.Publication publication, String message, StreamPosition position) {
        // The time the hand-off to every subscriber's queue takes is the fan-out histogram.
        long start = System.nanoTime();
        hub.broadcast(publication.stream(), message, publication.excludeSocket(), publication.broadcastType(),
                position);
        fanout.observeNanos(System.nanoTime() - start);
    }

    private void disconnect(BroadcastMessage.RemoteDisconnect disconnect) {
        int closed = remoteDisconnects.disconnect(disconnect.identifier(), disconnect.reconnect());
        LOG.info("Remote disconnect of {} closed {} sessions", LogText.clip(disconnect.identifier()), closed);
    }
}
