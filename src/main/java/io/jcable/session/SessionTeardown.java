package io.jcable.session;

import io.jcable.broker.SessionCache;
import io.jcable.broker.SessionSnapshot;
import io.jcable.config.DisconnectMode;
import io.jcable.hub.Hub;
import io.jcable.protocol.Json;
import io.jcable.rpc.DisconnectCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The end of a session, run once on its mailbox after it closed: its streams and indexes go, a session whose
 * Connect succeeded gets its one Disconnect call queued (in mode {@code auto} only if the application answered for
 * it: a session identified by JWT with only local subscriptions never needed the application), and it leaves the
 * registry. An extended session that may be restored (docs/protocol.md §6.2) leaves its snapshot in the
 * {@link SessionCache}, and its Disconnect call is made only if nobody restores it in time. Its presence records
 * linger {@code ANYCABLE_PRESENCE_TTL} (a restore within it takes them over without events). A session written through
 * while live ({@link LiveSnapshots}) that ends for good has its snapshot deleted, and its Disconnect made unless
 * another node restored it meanwhile; one known to be taken over ends without it.
 */
final class SessionTeardown {
    private final Hub hub;
    private final DisconnectQueue disconnects;
    private final DisconnectMode disconnectMode;
    private final SessionRegistry registry;
    private final SessionCache cache;
    private final BooleanSupplier shuttingDown;
    private final PresenceCommands presence;

    SessionTeardown(Hub hub, DisconnectQueue disconnects, DisconnectMode disconnectMode, SessionRegistry registry,
                    SessionCache cache, BooleanSupplier shuttingDown, PresenceCommands presence) {
        this.hub = hub;
        this.disconnects = disconnects;
        this.disconnectMode = disconnectMode;
        this.registry = registry;
        this.cache = cache;
        this.shuttingDown = shuttingDown;
        this.presence = presence;
    }

    void finish(ClientSession session) {
        if (session.finished) {
            return;
        }
        session.finished = true;
        SessionSnapshot snapshot = restorable(session) ? LiveSnapshots.of(session) : null;
        if (!session.takenOver) {
            // A taken-over session's presence records are the restored session's now.
            presence.closed(session);
        }
        List<String> subscriptions = new ArrayList<>(session.subscriptions.keySet());
        Map<String, String> istates = new LinkedHashMap<>();
        session.subscriptions.forEach((identifier, subscription) -> {
            subscription.streams().forEach(stream -> hub.unsubscribe(stream, identifier, session));
            if (!subscription.istate().isEmpty()) {
                istates.put(identifier, Json.toJson(subscription.istate()));
            }
        });
        session.subscriptions.clear();
        if (session.connected) {
            hub.removeConnection(session.identifiers, session);
        }
        if (session.connected && !session.takenOver) {
            DisconnectCall call = disconnectMode == DisconnectMode.ALWAYS
                    || disconnectMode == DisconnectMode.AUTO && session.disconnectInterest
                    ? new DisconnectCall(session.sid(), session.identifiers, subscriptions, session.handshake().env(),
                    session.cstate, istates) : null;
            if (snapshot != null) {
                // The Disconnect waits for the restore that may come; a restored session makes it when it ends.
                cache.store(session.sid(), snapshot, call == null ? () -> { } : () -> disconnects.enqueue(call));
            } else if (session.liveSnapshot != null && !shuttingDown.getAsBoolean()) {
                // Made once Redis says no other node restored it meanwhile (the shutdown deleted the snapshots first).
                cache.ended(session.sid(), call == null ? () -> { } : () -> disconnects.enqueue(call));
            } else if (call != null) {
                disconnects.enqueue(call);
            }
        }
        registry.remove(session);
    }

    /**
     * An extended session that lost its socket (not closed on purpose by either side, nor ended by the shutdown)
     * can come back within {@code ANYCABLE_SESSIONS_TTL}.
     */
    private boolean restorable(ClientSession session) {
        return session.connected && session.extended() && !session.leftForGood && cache.enabled()
                && !shuttingDown.getAsBoolean();
    }
}
