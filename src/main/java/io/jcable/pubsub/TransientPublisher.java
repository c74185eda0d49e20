package io.jcable.pubsub;

/**
 * Publishes a message the server makes itself (a client's whisper, a presence event) to a stream's subscribers on
 * every node: transient, so never stored and without a position. Never blocks on the network.
 */
public interface TransientPublisher {

    /**
     * @param data          the message as JSON text
     * @param excludeSocket the sid of a session that must not get it, or null
     * @param broadcastType the frame's {@code type} ({@code meta.broadcast_type}), or null
     */
    void publish(String stream, String data, String excludeSocket, String broadcastType);
}
