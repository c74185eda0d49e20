package io.jcable.hub;

import io.jcable.protocol.StreamPosition;

/** A receiver of broadcast frames: a session, as the hub sees it. */
public interface Subscriber {

    /** The session id, compared with {@code meta.exclude_socket}. */
    String sid();

    /**
     * The session's serial number, from {@link Hub#nextSerial} when it opened: a fan-out visits subscribers in this
     * order.
     */
    long serial();

    /** Queues a frame for writing; never blocks. */
    void deliver(String frame);

    /** Whether it speaks the extended protocol: its data frames of stored publications carry their position. */
    default boolean extended() {
        return false;
    }

    /**
     * Queues the frame of a stored publication (extended subscribers only); never blocks. The subscriber may hold
     * it back while it replays history of that subscription, and drops it when the replay already sent it.
     */
    default void deliver(String frame, String identifier, String stream, StreamPosition position) {
        deliver(frame);
    }
}
