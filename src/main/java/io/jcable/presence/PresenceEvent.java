package io.jcable.presence;

import io.jcable.protocol.Json;

/**
 * A change others must hear of: the first session of an id joined a stream, or its last one left.
 *
 * @param info the info as JSON text for a join; null for a leave
 */
public record PresenceEvent(String stream, Type type, String id, String info) {

    public enum Type { JOIN, LEAVE }

    public static PresenceEvent join(String stream, String id, String info) {
        return new PresenceEvent(stream, Type.JOIN, id, info);
    }

    public static PresenceEvent leave(String stream, String id) {
        return new PresenceEvent(stream, Type.LEAVE, id, null);
    }

    /** The frame's {@code message}: {@code {"type":"join","id":…,"info":…}} or {@code {"type":"leave","id":…}}. */
    public String message() {
        return type == Type.JOIN
                ? "{\"type\":\"join\",\"id\":" + Json.quote(id) + ",\"info\":" + info + "}"
                : "{\"type\":\"leave\",\"id\":" + Json.quote(id) + "}";
    }
}
