package io.jcable.protocol;

/** Server-made frames (docs/protocol.md §3), key order as anycable-go writes them. */
public final class ServerFrames {
    public static final String PONG = "{\"type\":\"pong\"}";

    private ServerFrames() {
    }

    public static String ping(long timestamp) {
        return "{\"type\":\"ping\",\"message\":" + timestamp + "}";
    }

    public static String disconnect(DisconnectReason reason) {
        return "{\"type\":\"disconnect\",\"reason\":\"" + reason.wireName() + "\",\"reconnect\":" + reason.reconnect() + "}";
    }

    public static String disconnect(String reason, boolean reconnect) {
        return "{\"type\":\"disconnect\",\"reason\":" + Json.quote(reason) + ",\"reconnect\":" + reconnect + "}";
    }

    /** The welcome of a session the server identified itself (JWT, noauth): {@code {"type":"welcome","sid":…}}. */
    public static String welcome(String sid) {
        return "{\"type\":\"welcome\",\"sid\":" + Json.quote(sid) + "}";
    }

    /** A subscription the server confirmed itself ({@code $pubsub}, Turbo, CableReady), in anycable-go's order. */
    public static String confirmSubscription(String identifier) {
        return "{\"type\":\"confirm_subscription\",\"identifier\":" + Json.quote(identifier) + "}";
    }

    public static String rejectSubscription(String identifier) {
        return "{\"identifier\":" + Json.quote(identifier) + ",\"type\":\"reject_subscription\"}";
    }

    /**
     * A data frame: {@code {"identifier":ID,"message":M}}, with {@code type} first when the broadcast sets one.
     *
     * @param quotedIdentifier the identifier already as a JSON string literal
     * @param message          the message as JSON text (see {@link Json#embed})
     * @param type             {@code meta.broadcast_type}, or null
     */
    public static String data(String quotedIdentifier, String message, String type) {
        StringBuilder frame = new StringBuilder(quotedIdentifier.length() + message.length() + 40);
        frame.append('{');
        if (type != null) {
            frame.append("\"type\":").append(Json.quote(type)).append(',');
        }
        frame.append("\"identifier\":").append(quotedIdentifier)
                .append(",\"message\":").append(message).append('}');
        return frame.toString();
    }
}
