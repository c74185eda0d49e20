package io.jcable.hub;

/**
 * Told by the {@link Hub} when a stream gets its first local subscriber or loses its last, so that the node-to-node
 * pub/sub receives exactly the streams this node serves. Two steps: {@link #mark} inside the stream's index lock
 * (so marks of one stream arrive in the order the index changed), then {@link #follow} outside any lock, on the
 * thread that attached or detached (a session's virtual thread), where blocking briefly is allowed.
 */
public interface StreamInterest {
    /** No pub/sub: nothing to follow. */
    StreamInterest NONE = new StreamInterest() {
        @Override
        public void mark(String stream, boolean subscribed) {
        }

        @Override
        public void follow(String stream) {
        }
    };

    /** The stream now has local subscribers ({@code true}) or none. Called under the index lock: must not block. */
    void mark(String stream, boolean subscribed);

    /**
     * Makes the pub/sub match the latest mark of {@code stream}; after a first subscriber, waits (bounded) until
     * the stream's publications reach this node, so a broadcast sent after the client's confirmation arrives.
     */
    void follow(String stream);
}
