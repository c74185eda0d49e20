package io.jcable.pubsub;

import java.util.List;

/**
 * A pub/sub over a transport with one channel per stream: the hub's marks and follows go to its
 * {@link StreamSubscriptions}, which decides what to subscribe on the live connection through
 * {@link #subscribeChannels} and {@link #unsubscribeChannels}.
 */
abstract class StreamPubSub implements PubSub {
    final StreamSubscriptions streams = new StreamSubscriptions(new StreamSubscriptions.Transport() {
        @Override
        public boolean subscribe(List<String> names) {
            return subscribeChannels(names);
        }

        @Override
        public boolean unsubscribe(List<String> names) {
            return unsubscribeChannels(names);
        }
    });

    /** Subscribes the streams on the live connection; false when there is none (nothing sent). */
    abstract boolean subscribeChannels(List<String> names);

    /** Unsubscribes the streams on the live connection; false when there is none. */
    abstract boolean unsubscribeChannels(List<String> names);

    @Override
    public final void mark(String stream, boolean subscribed) {
        streams.mark(stream, subscribed);
    }

    @Override
    public final void follow(String stream) {
        streams.follow(stream);
    }
}
