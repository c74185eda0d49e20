package io.jcable.broker;

import io.jcable.protocol.StreamPosition;

/** Stores publications with their stream positions and answers history requests. Thread-safe; never blocks long. */
public interface Broker {

    /**
     * Stores a publication that is not transient and returns its position, or null when it was not stored
     * (no broker): such a publication is delivered without position fields.
     *
     * @param message the message as JSON text (as embedded in data frames)
     * @param type    {@code meta.broadcast_type}, or null
     */
    StreamPosition store(String stream, String message, String type);

    /** The entries of {@code stream} after {@code position}; refused for another epoch or a position not retained. */
    History from(String stream, StreamPosition position);

    /** The entries of {@code stream} stored at or after {@code sinceSeconds} (unix seconds). */
    History since(String stream, long sinceSeconds);

    /** Stops background work (expiry); idempotent. */
    void stop();
}
