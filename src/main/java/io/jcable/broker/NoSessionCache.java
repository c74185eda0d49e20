package io.jcable.broker;

/** No broker or {@code ANYCABLE_SESSIONS_TTL=0}: nothing is kept, nothing restored. */
public final class NoSessionCache implements SessionCache {

    @Override
    public boolean enabled() {
        return false;
    }

    @Override
    public void store(String sid, SessionSnapshot snapshot, Runnable onExpiry) {
        onExpiry.run();
    }

    @Override
    public SessionSnapshot restore(String sid) {
        return null;
    }

    @Override
    public void expireAll() {
    }

    @Override
    public void stop() {
    }
}
