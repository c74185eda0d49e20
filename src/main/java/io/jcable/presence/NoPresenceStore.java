package io.jcable.presence;

import java.util.List;

/** {@code ANYCABLE_BROKER=none}: no presence; every request is answered as unavailable. */
public final class NoPresenceStore implements PresenceStore {
    private static final String WHY = "presence needs a broker (ANYCABLE_BROKER=memory or redis)";

    @Override
    public List<PresenceEvent> join(String stream, String sid, String id, String info) {
        throw new PresenceUnavailable(WHY);
    }

    @Override
    public PresenceEvent leave(String stream, String sid) {
        throw new PresenceUnavailable(WHY);
    }

    @Override
    public void linger(String stream, String sid, long expiresAtMillis) {
        throw new PresenceUnavailable(WHY);
    }

    @Override
    public PresenceState state(String stream, boolean withRecords) {
        throw new PresenceUnavailable(WHY);
    }

    @Override
    public List<PresenceEvent> expire(long nowMillis) {
        return List.of();
    }

    /** Records live as long as this node: nothing to renew. */
    @Override
    public List<PresenceEvent> renew(long nowMillis) {
        return List.of();
    }

    @Override
    public void stop() {
    }
}
