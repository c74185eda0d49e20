package io.jcable.session;

import io.jcable.broker.Broker;
import io.jcable.broker.History;
import io.jcable.broker.HistoryEntry;
import io.jcable.protocol.HistoryRequest;
import io.jcable.protocol.Json;
import io.jcable.protocol.ServerFrames;
import io.jcable.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a history request of an extended session's subscription (docs/protocol.md §6.3): for each of the
 * subscription's streams, the entries after the client's position, or since its time; all of them in order and
 * then {@code confirm_history}, or only {@code reject_history} when any stream cannot be served. Live frames of
 * the subscription wait in the session's {@link HistoryGate} meanwhile, so none arrives twice or out of order.
 * Runs on the mailbox.
 */
final class HistoryReplay {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryReplay.class);

    private final Broker broker;

    HistoryReplay(Broker broker) {
        this.broker = broker;
    }

    /** Replays and confirms (or rejects), then lets the held live frames through. */
    void serve(ClientSession session, String identifier, Subscription subscription, HistoryRequest request) {
        HistoryGate gate = session.historyGate();
        gate.hold(identifier);
        try {
            if (session.isClosed()) {
                return;
            }
            String refusal = request.invalid();
            List<StreamEntries> found = new ArrayList<>(subscription.streams().size());
            for (String stream : subscription.streams()) {
                if (refusal != null) {
                    break;
                }
                StreamPosition position = request.streams().get(stream);
                History history = position != null ? broker.from(stream, position)
                        : request.since() > 0 ? broker.since(stream, request.since()) : null;
                switch (history) {
                    case null -> {
                    }
                    case History.Refused refused -> refusal = refused.reason();
                    case History.Found entries -> found.add(new StreamEntries(stream, entries.entries()));
                }
            }
            if (refusal != null) {
                if (session.mayLog()) {
                    LOG.info("sid={} history refused: {}", session.sid(), refusal);
                }
                session.transport().send(ServerFrames.rejectHistory(identifier));
                return;
            }
            String quotedIdentifier = Json.quote(identifier);
            List<String> frames = new ArrayList<>();
            for (StreamEntries stream : found) {
                for (HistoryEntry entry : stream.entries()) {
                    if (gate.replay(identifier, stream.name(), entry.position())) {
                        frames.add(ServerFrames.data(quotedIdentifier, entry.message(), entry.type(), stream.name(),
                                entry.position()));
                    }
                }
            }
            frames.add(ServerFrames.confirmHistory(identifier));
            // One write for the replay and its confirmation instead of one per frame (most of a restore's cost).
            session.transport().sendAll(frames);
        } finally {
            gate.release(session.transport(), identifier);
        }
    }

    private record StreamEntries(String name, List<HistoryEntry> entries) {
    }
}
