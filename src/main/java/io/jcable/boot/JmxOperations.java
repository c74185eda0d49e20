package io.jcable.boot;

import io.jcable.broadcast.BroadcastHandler;
import io.jcable.broadcast.BroadcastMessage;
import io.jcable.jmx.Operations;
import io.jcable.protocol.Json;
import io.jcable.session.Node;

/** The JMX operations on the running parts: the same paths as the app's remote commands and broadcasts. */
final class JmxOperations implements Operations {
    private final Node node;
    private final BroadcastHandler broadcasts;
    private final Runnable drain;

    JmxOperations(Node node, BroadcastHandler broadcasts, Runnable drain) {
        this.node = node;
        this.broadcasts = broadcasts;
        this.drain = drain;
    }

    @Override
    public int disconnect(String identifiers, boolean reconnect) {
        return node.disconnectRemotely(identifiers, reconnect);
    }

    @Override
    public void broadcast(String stream, String data) {
        String publication = "{\"stream\":" + Json.quote(stream) + ",\"data\":" + Json.quote(data) + "}";
        if (broadcasts.handle(publication) instanceof BroadcastMessage.Invalid invalid) {
            throw new IllegalArgumentException(invalid.reason());
        }
    }

    @Override
    public void drain() {
        drain.run();
    }
}
