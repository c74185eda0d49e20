package io.jcable.session;

import io.jcable.hub.Hub;
import io.jcable.hub.Subscriber;
import io.jcable.protocol.ServerFrames;

/** The remote {@code disconnect} command of a broadcast: closes every session of those connection identifiers. */
public final class RemoteDisconnects {
    private final Hub hub;
    private final SessionCloser closer;

    RemoteDisconnects(Hub hub, SessionCloser closer) {
        this.hub = hub;
        this.closer = closer;
    }

    /**
     * Every session with exactly these identifiers gets the {@code remote} disconnect frame and is closed (then
     * gets its Disconnect as usual). Returns how many were closed.
     */
    public int disconnect(String identifiers, boolean reconnect) {
        int count = 0;
        for (Subscriber subscriber : hub.connections(identifiers)) {
            ClientSession session = (ClientSession) subscriber;
            session.transport().send(ServerFrames.disconnect("remote", reconnect));
            closer.close(session, 1000, "Closed remotely");
            count++;
        }
        return count;
    }
}
