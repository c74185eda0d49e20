package io.jcable.broker;

import io.jcable.protocol.StreamPosition;
import java.util.concurrent.CompletableFuture;

/** {@code ANYCABLE_BROKER=none}: nothing is stored, publications carry no position, history is refused. */
public final class NoBroker implements Broker {
    private static final History REFUSED = new History.Refused("no broker (ANYCABLE_BROKER=none)");

    private static final CompletableFuture<StreamPosition> NOT_STORED = CompletableFuture.completedFuture(null);

    @Override
    public boolean clusterWide() {
        return false;
    }

    @Override
    public CompletableFuture<StreamPosition> store(String stream, String message, String type) {
        return NOT_STORED;
    }

    @Override
    public History from(String stream, StreamPosition position) {
        return REFUSED;
    }

    @Override
    public History since(String stream, long sinceSeconds) {
        return REFUSED;
    }

    @Override
    public void stop() {
    }
}
