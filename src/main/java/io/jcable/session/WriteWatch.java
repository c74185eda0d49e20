package io.jcable.session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transports with a write that did not complete at once (the socket's send buffer was full). The pinger
 * checks them every tick, so a blocked write is noticed without a timer per frame or a scan of every
 * connection; a transport leaves the set at the first check after its write completed.
 */
public final class WriteWatch {
    private final Set<Transport> writing = ConcurrentHashMap.newKeySet();

    /** Called by a transport whose write is still in progress after the call that started it returned. */
    public void watch(Transport transport) {
        writing.add(transport);
    }

    void check(long nowNanos) {
        writing.removeIf(transport -> !transport.checkWrite(nowNanos));
    }
}
