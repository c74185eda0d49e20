package io.jcable.pubsub;

import io.jcable.hub.StreamInterest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Carries publications and remote commands between nodes. Publishing never blocks the caller on the network;
 * the returned future completes once the message is handed to the transport, and fails when the transport is
 * down (the caller decides: deliver locally, or retry later). What arrives goes to the {@link Receiver}, on one
 * thread, in arrival order.
 */
public interface PubSub extends StreamInterest {
    /** Where received messages go. */
    interface Receiver {
        /** A publication JSON for one stream (broadcasting.md §1). */
        void publication(String payload);

        /** A remote command JSON (broadcasting.md §2). */
        void command(String payload);
    }

    /** The internal channel of remote commands, renamed when it clashes with the broadcast channel. */
    static String internalChannel(String broadcastChannel) {
        String internal = "__anycable_internal__";
        return internal.equals(broadcastChannel) ? internal + "-int" : internal;
    }

    void start(Receiver receiver);

    void stop(Duration wait);

    /** Connected and receiving (readiness). */
    boolean isReady();

    /** Sends {@code payload}, a publication of {@code stream}, to every node that serves the stream. */
    CompletableFuture<Void> publish(String stream, String payload);

    /** Sends a remote command to every node. */
    CompletableFuture<Void> publishCommand(String payload);
}
