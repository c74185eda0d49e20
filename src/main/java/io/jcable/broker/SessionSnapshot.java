package io.jcable.broker;

import io.jcable.presence.Membership;
import java.util.List;
import java.util.Map;

/**
 * What a closed extended session leaves for its restore (docs/protocol.md §6.2).
 *
 * @param identifiers        the connection identifiers
 * @param cstate             the connection state
 * @param subscriptions      identifier → its channel state and streams, in subscription order
 * @param disconnectInterest whether the application answered for the session (it wants the Disconnect call)
 */
public record SessionSnapshot(String identifiers, Map<String, String> cstate,
                              Map<String, RestoredSubscription> subscriptions, boolean disconnectInterest) {

    /**
     * One subscription of a snapshot.
     *
     * @param presence what it joined (its record lingers meanwhile), or null
     */
    public record RestoredSubscription(Map<String, String> istate, List<String> streams, Membership presence) {
    }
}
