package io.jcable.pubsub;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** One node: what is published is received at once, on the publishing thread. */
public final class LocalPubSub implements PubSub {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private Receiver receiver;

    @Override
    public void start(Receiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public void stop(Duration wait) {
    }

    @Override
    public boolean isReady() {
        return true;
    }

    @Override
    public CompletableFuture<Void> publish(String stream, String payload) {
        receiver.publication(payload);
        return DONE;
    }

    @Override
    public CompletableFuture<Void> publishCommand(String payload) {
        receiver.command(payload);
        return DONE;
    }

    @Override
    public void mark(String stream, boolean subscribed) {
    }

    @Override
    public void follow(String stream) {
    }
}
