package io.jcable.session;

import io.jcable.presence.Membership;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One channel subscription of a session: its channel state (istate), streams and presence. Owned by the session. A
 * subscription has one or two streams as a rule, so they are a small list (far less memory per subscription
 * than a linked hash set), kept free of duplicates.
 */
final class Subscription {
    private Map<String, String> istate = Map.of();
    private final List<String> streams = new ArrayList<>(2);
    /** What this subscription joined (docs/protocol.md §6.6), or null. */
    private Membership presence;

    Map<String, String> istate() {
        return istate;
    }

    /** The streams, in the order they were added. */
    List<String> streams() {
        return Collections.unmodifiableList(streams);
    }

    /** Adds a stream; false when it was already there. */
    boolean addStream(String stream) {
        if (streams.contains(stream)) {
            return false;
        }
        return streams.add(stream);
    }

    /** Removes a stream; false when it was not there. */
    boolean removeStream(String stream) {
        return streams.remove(stream);
    }

    /** Removes and returns every stream. */
    List<String> clearStreams() {
        List<String> removed = List.copyOf(streams);
        streams.clear();
        return removed;
    }

    void mergeIstate(Map<String, String> diff) {
        istate = StateMerge.merge(istate, diff);
    }

    Membership presence() {
        return presence;
    }

    void presence(Membership membership) {
        this.presence = membership;
    }
}
