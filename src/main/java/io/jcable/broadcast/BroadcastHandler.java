package io.jcable.broadcast;

import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.LogText;
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
 * {@code failed_broadcast_msg_total}) count on the node where it entered. {@link Publications} does the
 * distributing and the delivering (a local broker stores on each node, a cluster-wide one where it entered).
 */
public final class BroadcastHandler implements PubSub.Receiver {
    private static final Logger LOG = LoggerFactory.getLogger(BroadcastHandler.class);

    private final Publications publications;
    private final RemoteDisconnects remoteDisconnects;
    private final PubSub pubsub;
    private final Counter accepted;
    private final Counter streamMessages;
    private final Counter remoteCommands;
    private final Counter failed;

    public BroadcastHandler(Publications publications, RemoteDisconnects remoteDisconnects, PubSub pubsub,
                            Metrics metrics) {
        this.publications = publications;
        this.remoteDisconnects = remoteDisconnects;
        this.pubsub = pubsub;
        this.accepted = metrics.counter("publications_total");
        this.streamMessages = metrics.counter("broadcast_msg_total");
        this.remoteCommands = metrics.counter("remote_commands_total");
        this.failed = metrics.counter("failed_broadcast_msg_total");
    }

    /** A payload from a fan-out adapter: delivered and executed on this node. */
    public BroadcastMessage deliverHere(String payload) {
        BroadcastMessage message = count(payload);
        switch (message) {
            case BroadcastMessage.Publication publication -> publications.deliver(publication);
            case BroadcastMessage.Batch batch -> batch.publications().forEach(publications::deliver);
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
            case BroadcastMessage.Publication publication -> publications.distribute(publication, payload, true);
            case BroadcastMessage.Batch batch -> batch.publications()
                    .forEach(p -> publications.distribute(p, null, true));
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
            case BroadcastMessage.Publication publication ->
                    sent.add(publications.distribute(publication, payload, false));
            case BroadcastMessage.Batch batch -> batch.publications()
                    .forEach(p -> sent.add(publications.distribute(p, null, false)));
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
            publications.received(publication);
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
                accepted.inc();
                streamMessages.inc();
            }
            case BroadcastMessage.Batch batch -> {
                if (!batch.skipped().isEmpty()) {
                    failed.add(batch.skipped().size());
                    LOG.warn("Invalid batch elements dropped ({}): {}", String.join("; ", batch.skipped()),
                            LogText.clip(payload));
                }
                if (!batch.publications().isEmpty()) {
                    accepted.inc();
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

    private void disconnect(BroadcastMessage.RemoteDisconnect disconnect) {
        int closed = remoteDisconnects.disconnect(disconnect.identifier(), disconnect.reconnect());
        LOG.info("Remote disconnect of {} closed {} sessions", LogText.clip(disconnect.identifier()), closed);
    }
}
