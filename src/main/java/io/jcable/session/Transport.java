package io.jcable.session;

/** The connection as the session sees it. Implementations are thread-safe and never block the caller. */
public interface Transport {

    /** Queues a text frame. Frames are written in call order; dropped once the transport is closing. */
    void send(String frame);

    /** Closes with this code and reason after every frame queued before it is written. Idempotent. */
    void close(int code, String reason);

    /**
     * Periodic check of a transport in the {@link WriteWatch}: gives up on the connection when a write has been
     * blocked longer than the write timeout, so per-frame timers are not needed. Returns whether a write is
     * still in progress (whether the transport needs watching).
     */
    boolean checkWrite(long nowNanos);
}
