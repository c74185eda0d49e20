package io.jcable.broadcast;

import java.util.List;

/** A parsed broadcast payload (docs/broadcasting.md §1–2). */
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

    /**
     * A batch: the valid publications to handle in array order, and why each left-out element was invalid
     * (an element without a non-empty string {@code stream} or with a non-string {@code data}).
     */
    record Batch(List<Publication> publications, List<String> skipped) implements BroadcastMessage {
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
