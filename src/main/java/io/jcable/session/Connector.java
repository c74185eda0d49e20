package io.jcable.session;

import io.jcable.hub.Hub;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.LogText;
import io.jcable.protocol.ServerFrames;
import io.jcable.rpc.CallContext;
import io.jcable.rpc.ConnectResult;
import io.jcable.rpc.Controller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Identifies a new session, by the server itself ({@link LocalAnswers}) or through the application's Connect,
 * and applies the answer. Runs on the session's mailbox.
 */
final class Connector {
    private static final Logger LOG = LoggerFactory.getLogger(Connector.class);

    private final LocalAnswers local;
    private final Controller controller;
    private final Hub hub;
    private final SessionCloser closer;
    private final Counter failedAuths;

    Connector(LocalAnswers local, Controller controller, Hub hub, SessionCloser closer, Metrics metrics) {
        this.local = local;
        this.controller = controller;
        this.hub = hub;
        this.closer = closer;
        this.failedAuths = metrics.counter("failed_auths_total");
    }

    void connect(ClientSession session) {
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
}
