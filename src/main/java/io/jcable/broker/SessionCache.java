package io.jcable.broker;

/**
 * Closed extended sessions kept for {@code ANYCABLE_SESSIONS_TTL}, by sid, each with what to do when it expires
 * unrestored (its Disconnect call): a restored session makes that call only once, when it finally ends. A cache the
 * nodes share also holds the live sessions' snapshots ({@link #live}), so a node that dies leaves them restorable.
 */
public interface SessionCache {

    /** Whether sessions are kept at all (a broker and a TTL above 0). */
    boolean enabled();

    /** Keeps {@code snapshot} under {@code sid}; {@code onExpiry} runs if nobody restores it within the TTL. */
    void store(String sid, SessionSnapshot snapshot, Runnable onExpiry);

    /** Whether {@link #live} writes anything (a cache the nodes share); else the live snapshots are not taken. */
    default boolean writesLive() {
        return false;
    }

    /**
     * A live extended session's state changed (or it was just identified): where the cache is shared by nodes,
     * {@code snapshot} is written through, asynchronously and coalesced, so the session survives its node's death.
     * {@code onTakenOver} runs (on a cache thread) when a write finds the session restored on another node.
     */
    default void live(String sid, SessionSnapshot snapshot, Runnable onTakenOver) {
    }

    /**
     * A session that was {@link #live} ended for good: its snapshot goes, and {@code onEnded} (its Disconnect) runs,
     * unless the session was restored on another node meanwhile (that node makes it).
     */
    default void ended(String sid, Runnable onEnded) {
        onEnded.run();
    }

    /** Takes the session out of the cache (its expiry action will not run); null when unknown or expired. */
    SessionSnapshot restore(String sid);

    /**
     * Runs every pending expiry action now and forgets all sessions (shutdown: the Disconnects are due); live
     * snapshots are deleted first and none written after.
     */
    void expireAll();

    void stop();
}
