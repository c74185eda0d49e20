package io.jcable.broker;

import io.jcable.protocol.StreamPosition;
import java.util.concurrent.CompletableFuture;

/** Stores publications with their stream positions and answers history requests. Thread-safe; never blocks long. */
public interface Broker {

    /**
     * Whether positions hold for the whole cluster ({@code redis}): the node where a publication enters stores it
     * once and the pub/sub carries its position to every node. Otherwise ({@code memory}) each node stores what it
     * delivers and numbers its own copy.
     */
    boolean clusterWide();

    /**
     * Stores a publication that is not transient; completes with its position, or null when it was not stored
     * (no broker): such a publication is delivered without position fields. Fails when the store cannot be
     * reached. Results complete in call order; a local broker completes at once.
     *
     * @param message the message as JSON text (as embedded in data frames)
     * @param type    {@code meta.broadcast_type}, or null
     */
    CompletableFuture<StreamPosition> store(String stream, String message, String type);

    /** The entries of {@code stream} after {@code position}; refused for another epoch or a position not retained. */
    History from(String stream, StreamPosition position);

    /** The entries of {@code stream} stored at or after {@code sinceSeconds} (unix seconds). */
    History since(String stream, long sinceSeconds);

    /** Stops background work (expiry); idempotent. */
    void stop();
}
