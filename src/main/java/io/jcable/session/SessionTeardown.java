package io.jcable.session;

import io.jcable.config.DisconnectMode;
import io.jcable.hub.Hub;
import io.jcable.protocol.Json;
import io.jcable.rpc.DisconnectCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end of a session, run once on its mailbox after it closed: its streams and indexes go, a session whose
 * Connect succeeded gets its one Disconnect call queued (in mode {@code auto} only if the application answered for
 * it: a session identified by JWT with only local subscriptions never needed the application), and it leaves the
 * registry.
 */
final class SessionTeardown {
    private final Hub hub;
    private final DisconnectQueue disconnects;
    private final DisconnectMode disconnectMode;
    private final SessionRegistry registry;

    SessionTeardown(Hub hub, DisconnectQueue disconnects, DisconnectMode disconnectMode, SessionRegistry registry) {
        this.hub = hub;
        this.disconnects = disconnects;
        this.disconnectMode = disconnectMode;
        this.registry = registry;
    }

    void finish(ClientSession session) {
        if (session.finished) {
            return;
        }
        session.finished = true;
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
            if (disconnectMode == DisconnectMode.ALWAYS
                    || disconnectMode == DisconnectMode.AUTO && session.disconnectInterest) {
                disconnects.enqueue(new DisconnectCall(session.sid(), session.identifiers, subscriptions,
                        session.handshake().env(), session.cstate, istates));
            }
        }
        registry.remove(session);
    }
}
