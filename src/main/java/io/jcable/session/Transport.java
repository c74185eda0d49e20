package io.jcable.session;

import io.jcable.protocol.DisconnectReason;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The connection as the session sees it. Implementations are thread-safe and never block the caller. */
public interface Transport {

    /** Queues a text frame. Frames are written in call order; dropped once the transport is closing. */
    void send(String frame);

    /**
     * Queues text frames that go out together, in order, nothing queued in between: flushed to the socket once
     * where the container can batch them, else as {@link #send} would.
     */
    default void sendAll(List<String> frames) {
        frames.forEach(this::send);
    }

    /**
     * Whether {@link #sendAll} puts its frames into one socket write at no more cost than a {@link #send} of one
     * (then a ping may go along another frame); where a batch costs more than its frames sent one by one, false.
     */
    default boolean batchesInOneWrite() {
        return false;
    }

    /** Closes with this code and reason after every frame queued before it is written. Idempotent. */
    void close(int code, String reason);

    /** Sends a WebSocket ping frame (no payload); never blocks the caller. */
    void ping();

    /**
     * Gives up on a client that no longer answers: its frames still queued are dropped, the {@code reason}'s
     * notice and close are sent if they can be, and the connection is dropped within the write timeout even if
     * the peer never completes the close. Idempotent.
     */
    void abandon(DisconnectReason reason);

    /**
     * Completes once the connection is closed: the close handshake is done or the socket is gone. After
     * {@link #close}, everything queued before the close has then gone out, or never will.
     */
    CompletionStage<Void> whenClosed();

    /**
     * Periodic check of a transport in the {@link WriteWatch}: gives up on the connection when a write has been
     * blocked longer than the write timeout, so per-frame timers are not needed. Returns whether a write is
     * still in progress (whether the transport needs watching).
     */
    boolean checkWrite(long nowNanos);
}
