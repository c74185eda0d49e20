package io.jcable.broadcast;

import io.jcable.hub.Hub;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Histogram;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.Json;
import io.jcable.session.RemoteDisconnects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies broadcast payloads from any adapter: publications to the hub, remote commands to the sessions. */
public final class BroadcastHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BroadcastHandler.class);

    private final Hub hub;
    private final RemoteDisconnects remoteDisconnects;
    private final Counter publications;
    private final Counter streamMessages;
    private final Counter remoteCommands;
    private final Counter failed;
    private final Histogram fanout;

    public BroadcastHandler(Hub hub, RemoteDisconnects remoteDisconnects, Metrics metrics) {
        this.hub = hub;
        this.remoteDisconnects = remoteDisconnects;
        this.publications = metrics.counter("publications_total");
        this.streamMessages = metrics.counter("broadcast_msg_total");
        this.remoteCommands = metrics.counter("remote_commands_total");
        this.failed = metrics.counter("failed_broadcast_msg_total");
        this.fanout = metrics.histogram("broadcast_fanout_duration_seconds");
    }

    /** Handles one payload; returns what it was parsed as (callers answer HTTP from it). */
    public BroadcastMessage handle(String payload) {
        BroadcastMessage message = BroadcastParser.parse(payload);
        switch (message) {
            case BroadcastMessage.Publication publication -> {
                publications.inc();
                deliver(publication);
            }
            case BroadcastMessage.Batch batch -> {
                if (!batch.skipped().isEmpty()) {
                    failed.add(batch.skipped().size());
                    LOG.warn("Invalid batch elements dropped ({}): {}", String.join("; ", batch.skipped()),
                            abbreviate(payload));
                }
                if (!batch.publications().isEmpty()) {
                    publications.inc();
                    batch.publications().forEach(this::deliver);
                }
            }
            case BroadcastMessage.RemoteDisconnect disconnect -> {
                remoteCommands.inc();
                int closed = remoteDisconnects.disconnect(disconnect.identifier(), disconnect.reconnect());
                LOG.info("Remote disconnect of {} closed {} sessions", disconnect.identifier(), closed);
            }
            case BroadcastMessage.UnknownCommand unknown -> {
                remoteCommands.inc();
                LOG.warn("Unknown remote command ignored: {}", unknown.command());
            }
            case BroadcastMessage.Invalid invalid -> {
                failed.inc();
                LOG.warn("Invalid broadcast dropped ({}): {}", invalid.reason(), abbreviate(payload));
            }
        }
        return message;
    }

    /** Hands the publication to every subscriber's queue; the time that takes is the fan-out histogram. */
    private void deliver(BroadcastMessage.Publication publication) {
        streamMessages.inc();
        long start = System.nanoTime();
        hub.broadcast(publication.stream(), Json.embed(publication.data()), publication.excludeSocket(),
                publication.broadcastType());
        fanout.observeNanos(System.nanoTime() - start);
    }

    private static String abbreviate(String payload) {
        return payload.length() <= 200 ? payload : payload.substring(0, 200) + "…";
    }
}
