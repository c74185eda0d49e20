package io.jcable.session;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** One channel subscription of a session: its channel state (istate) and streams. Owned by the session. */
final class Subscription {
    private Map<String, String> istate = Map.of();
    private final Set<String> streams = new LinkedHashSet<>(2);

    Map<String, String> istate() {
        return istate;
    }

    Set<String> streams() {
        return streams;
    }

    void mergeIstate(Map<String, String> diff) {
        istate = StateMerge.merge(istate, diff);
    }

}
