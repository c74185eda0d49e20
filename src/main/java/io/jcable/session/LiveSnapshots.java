package io.jcable.session;

import io.jcable.broker.SessionCache;
import io.jcable.broker.SessionSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live extended session's snapshot, handed to the {@link SessionCache} after the session was identified and after
 * each command that changed it (docs/protocol.md §6.2), so a cache shared by the nodes can restore it even if this
 * node dies. A session the cache finds restored on another node is closed here without its Disconnect: it is the
 * restored session's now. Runs on the mailbox, except {@link #takenOver}.
 */
final class LiveSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(LiveSnapshots.class);

    private final SessionCache cache;
    private final SessionCloser closer;

    LiveSnapshots(SessionCache cache, SessionCloser closer) {
        this.cache = cache;
        this.closer = closer;
    }

    /** Hands the session's snapshot to the cache if it differs from the one handed last. */
    void changed(ClientSession session) {
        if (!session.connected || !session.extended() || session.isClosed() || !cache.writesLive()) {
            return;
        }
        SessionSnapshot snapshot = of(session);
        if (snapshot.equals(session.liveSnapshot)) {
            return;
        }
        session.liveSnapshot = snapshot;
        cache.live(session.sid(), snapshot, () -> takenOver(session));
    }

    /** The session's state now, copied (its maps change in place later). */
    static SessionSnapshot of(ClientSession session) {
        Map<String, SessionSnapshot.RestoredSubscription> subscriptions = new LinkedHashMap<>();
        session.subscriptions.forEach((identifier, subscription) -> subscriptions.put(identifier,
                new SessionSnapshot.RestoredSubscription(Map.copyOf(subscription.istate()),
                        List.copyOf(subscription.streams()), subscription.presence())));
        return new SessionSnapshot(session.identifiers, Map.copyOf(session.cstate), subscriptions,
                session.disconnectInterest);
    }

    /** On a cache thread: the flag first, so the session's finish (queued by the close) sees it. */
    private void takenOver(ClientSession session) {
        LOG.info("sid={} was restored on another node: closing it here without its Disconnect", session.sid());
        session.takenOver = true;
        closer.close(session, 1000, "Restored elsewhere");
    }
}
