package io.jcable.rpc;

import io.jcable.protocol.Json;

/**
 * {@code CommandResponse.presence} (docs/rpc.md §2): the application joins or leaves presence on the user's behalf.
 *
 * @param join whether it is a join ({@code type} "join"); else a leave
 * @param id   the presence id
 * @param info the user's info as JSON text (the application's text when valid JSON, else as a JSON string)
 */
public record PresenceAnswer(boolean join, String id, String info) {

    /**
     * From the wire fields: {@code type} "join" or "leave" with a non-empty id, else null (nothing to do); an empty
     * info is JSON {@code null}.
     */
    public static PresenceAnswer of(String type, String id, String info) {
        if (id.isEmpty() || !type.equals("join") && !type.equals("leave")) {
            return null;
        }
        return new PresenceAnswer(type.equals("join"), id, info.isEmpty() ? "null" : Json.embed(info));
    }
}
