package io.jcable.boot;

import io.jcable.broadcast.BroadcastHandler;
import io.jcable.broadcast.BroadcastMessage;
import io.jcable.jmx.Operations;
import io.jcable.protocol.Json;
import io.jcable.session.RemoteDisconnects;

/** The JMX operations on the running parts: the same paths as the app's remote commands and broadcasts. */
final class JmxOperations implements Operations {
    private final RemoteDisconnects remoteDisconnects;
    private final BroadcastHandler broadcasts;
    private final Runnable drain;

    JmxOperations(RemoteDisconnects remoteDisconnects, BroadcastHandler broadcasts, Runnable drain) {
        this.remoteDisconnects = remoteDisconnects;
        this.broadcasts = broadcasts;
        this.drain = drain;
    }

    @Override
    public int disconnect(String identifiers, boolean reconnect) {
        return remoteDisconnects.disconnect(identifiers, reconnect);
    }

    @Override
    public void broadcast(String stream, String data) {
        String publication = "{\"stream\":" + Json.quote(stream) + ",\"data\":" + Json.quote(data) + "}";
        if (broadcasts.accept(publication) instanceof BroadcastMessage.Invalid invalid) {
            throw new IllegalArgumentException(invalid.reason());
        }
    }

    @Override
    public void drain() {
        drain.run();
    }
}
