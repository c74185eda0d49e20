package io.jcable.hub;

/** A receiver of broadcast frames: a session, as the hub sees it. */
public interface Subscriber {

    /** The session id, compared with {@code meta.exclude_socket}. */
    String sid();

    /** Queues a frame for writing; never blocks. */
    void deliver(String frame);
}
