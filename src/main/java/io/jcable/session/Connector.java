package io.jcable.session;

import io.jcable.broker.SessionCache;
import io.jcable.broker.SessionSnapshot;
import io.jcable.hub.Hub;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.LogText;
import io.jcable.protocol.ServerFrames;
import io.jcable.rpc.CallContext;
import io.jcable.rpc.ConnectResult;
import io.jcable.rpc.Controller;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identifies a new session, by the server itself ({@link LocalAnswers}) or through the application's Connect,
 * and applies the answer. Runs on the session's mailbox.
 */
final class Connector {
    private static final Logger LOG = LoggerFactory.getLogger(Connector.class);
    /**
     * How long a restored session's live frames wait for the client's history requests (docs/protocol.md §6.2);
     * {@code @anycable/web} sends them as soon as it reads the restored welcome, so this bounds only what a client
     * that never asks waits.
     */
    static final Duration RESTORE_HISTORY_WAIT = Duration.ofSeconds(3);

    private final LocalAnswers local;
    private final Controller controller;
    private final Hub hub;
    private final SessionCache sessionCache;
    private final SessionCloser closer;
    private final Pinger timer;
    private final PresenceCommands presence;
    private final Counter failedAuths;

    Connector(LocalAnswers local, Controller controller, Hub hub, SessionCache sessionCache, SessionCloser closer,
              Pinger timer, PresenceCommands presence, Metrics metrics) {
        this.local = local;
        this.controller = controller;
        this.hub = hub;
        this.sessionCache = sessionCache;
        this.closer = closer;
        this.timer = timer;
        this.presence = presence;
        this.failedAuths = metrics.counter("failed_auths_total");
    }

    void connect(ClientSession session) {
        if (restore(session)) {
            return;
        }
        ConnectResult result = local.connect(session.sid(), session.handshake());
        boolean byApplication = result == null;
        if (byApplication) {
            result = controller.connect(new CallContext(session.sid(), session::isClosed), session.handshake().env());
        }
        switch (result.status()) {
            case SUCCESS -> {
                session.identifiers = result.identifiers();
                session.connected = true;
                session.disconnectInterest = byApplication;
                session.cstate = StateMerge.merge(session.cstate, result.cstate());
                hub.addConnection(session.identifiers, session);
                if (!session.isClosed()) {
                    result.transmissions().forEach(session.transport()::send);
                }
            }
            case FAILURE -> {
                failedAuths.inc();
                LOG.info("sid={} rejected: {}", session.sid(), result.errorMessage().isEmpty()
                        ? "Connect FAILURE from the application" : LogText.clip(result.errorMessage()));
                result.transmissions().forEach(session.transport()::send);
                closer.close(session, 1000, "Auth Failed");
            }
            case ERROR -> {
                LOG.error("sid={} Connect failed: {}", session.sid(), result.errorMessage());
                session.transport().send(ServerFrames.disconnect(DisconnectReason.SERVER_ERROR));
                closer.close(session, DisconnectReason.SERVER_ERROR.closeCode(),
                        DisconnectReason.SERVER_ERROR.closeText());
            }
        }
    }

    /**
     * Restores an extended session from the cache without asking the application (docs/protocol.md §6.2):
     * identifiers, cstate, subscriptions with their istate, streams and presence; answers the restored welcome.
     * False when there is nothing to restore (the normal Connect follows).
     */
    private boolean restore(ClientSession session) {
        String oldSid = session.handshake().restoreSid();
        if (oldSid == null || !sessionCache.enabled()) {
            return false;
        }
        if (!SessionRegistry.isSafeSid(oldSid)) {
            LOG.info("sid={} asked to restore a sid that cannot be one (bad length or characters): connecting",
                    session.sid());
            return false;
        }
        SessionSnapshot snapshot = sessionCache.restore(oldSid);
        if (snapshot == null) {
            LOG.info("sid={} asked to restore {}, which is unknown or expired: connecting", session.sid(), oldSid);
            return false;
        }
        session.identifiers = snapshot.identifiers();
        session.connected = true;
        session.disconnectInterest = snapshot.disconnectInterest();
        session.cstate = snapshot.cstate();
        hub.addConnection(session.identifiers, session);
        HistoryGate gate = session.historyGate();
        snapshot.subscriptions().forEach((identifier, restored) -> {
            Subscription subscription = new Subscription();
            subscription.mergeIstate(restored.istate());
            session.subscriptions.put(identifier, subscription);
            // live frames wait for the client's history request: the client can only ask once it has the welcome
            gate.holdForHistory(identifier);
            for (String stream : restored.streams()) {
                subscription.addStream(stream);
                hub.subscribe(stream, identifier, session);
            }
            if (restored.presence() != null) {
                presence.restored(session, oldSid, identifier, subscription, restored.presence());
            }
        });
        LOG.info("sid={} restored session {} with {} subscriptions", session.sid(), oldSid,
                snapshot.subscriptions().size());
        session.transport().send(ServerFrames.restoredWelcome(session.sid(), snapshot.subscriptions().keySet()));
        timer.later(RESTORE_HISTORY_WAIT, () -> gate.endRestoreWait(session.transport()));
        return true;
    }
}
