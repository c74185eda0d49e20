package io.jcable.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A client's presence member ({@code "presence":{"id":"42","info":{…}}}, docs/protocol.md §6.6), on {@code join}
 * or {@code subscribe}.
 *
 * @param id      the presence id (the user), or null when invalid
 * @param info    the {@code info} member as JSON text ({@code null} when absent), or null when invalid
 * @param invalid why the join cannot be served (no string id, info too large …), or null; the reason never quotes
 *                the client's text
 */
public record PresenceJoin(String id, String info, String invalid) {
    /** Largest {@code info} accepted, in UTF-8 bytes of its JSON text. */
    public static final int MAX_INFO_BYTES = 4096;
    /** Longest presence id accepted, in characters. */
    public static final int MAX_ID_LENGTH = 256;

    public static PresenceJoin invalid(String reason) {
        return new PresenceJoin(null, null, reason);
    }

    /** Checks an id and info as read from the client. */
    static PresenceJoin of(String id, String info) {
        if (id == null || id.isEmpty()) {
            return invalid("presence without a non-empty string id");
        }
        if (id.length() > MAX_ID_LENGTH) {
            return invalid("presence id longer than " + MAX_ID_LENGTH + " characters");
        }
        if (info.length() > MAX_INFO_BYTES / 3 && info.getBytes(StandardCharsets.UTF_8).length > MAX_INFO_BYTES) {
            return invalid("presence info larger than " + MAX_INFO_BYTES + " bytes");
        }
        return new PresenceJoin(id, info, null);
    }
}
