package io.jcable.broadcast;

import java.util.List;

/** A parsed broadcast payload (broadcasting.md §1–2). */
public sealed interface BroadcastMessage {

    /**
     * One message for one stream.
     *
     * @param data          the {@code data} text as published
     * @param excludeSocket {@code meta.exclude_socket} or null
     * @param broadcastType {@code meta.broadcast_type} or null
     */
    record Publication(String stream, String data, String excludeSocket, String broadcastType)
            implements BroadcastMessage {
    }

    /** Publications to handle in array order. */
    record Batch(List<Publication> publications) implements BroadcastMessage {
    }

    /** {@code {"command":"disconnect","payload":{"identifier":…,"reconnect":…}}}. */
    record RemoteDisconnect(String identifier, boolean reconnect) implements BroadcastMessage {
    }

    /** A remote command this server does not know. */
    record UnknownCommand(String command) implements BroadcastMessage {
    }

    /** Not a valid payload; the reason is for logs and HTTP 400 answers. */
    record Invalid(String reason) implements BroadcastMessage {
    }
}
