package io.jcable.presence;

import java.util.List;

/**
 * The presence records of every stream: per stream, presence id → info, and which sessions hold each id. An id is
 * present while at least one session holds it; a session holds at most one id per stream. Every method may throw
 * {@link PresenceUnavailable}.
 */
public interface PresenceStore {

    /**
     * {@code sid} holds {@code id} on {@code stream} with {@code info} (a session that held another id there gives
     * it up first; the same id again only replaces the info). Returns the events due: a leave of the id given up
     * by its last session, a join of an id that had no session.
     */
    List<PresenceEvent> join(String stream, String sid, String id, String info);

    /** {@code sid} gives up its id on {@code stream}; the leave event when it was the id's last session, else null. */
    PresenceEvent leave(String stream, String sid);

    /** {@code sid} is gone: it gives up its id at {@code expiresAtMillis} (epoch ms) unless it leaves before. */
    void linger(String stream, String sid, long expiresAtMillis);

    /** The ids present on {@code stream}, with their info when {@code withRecords}. */
    PresenceState state(String stream, boolean withRecords);

    /** Ends the lingers whose time is up; returns the leave events due. */
    List<PresenceEvent> expire(long nowMillis);

    /**
     * Keeps the records of this node's live sessions from expiring; called on every sweep. A store shared by nodes
     * gives each live record a lease that its node renews, so the records of a node that died end like lingers, and
     * joins again the live sessions whose records it lost; returns the events of those joins.
     */
    List<PresenceEvent> renew(long nowMillis);

    void stop();
}
