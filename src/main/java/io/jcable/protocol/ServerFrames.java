package io.jcable.protocol;

import java.util.Collection;

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

    /**
     * The welcome of a restored session (docs/protocol.md §6.2):
     * {@code {"type":"welcome","sid":…,"restored":true,"restored_ids":[…]}}.
     */
    public static String restoredWelcome(String sid, Collection<String> restoredIdentifiers) {
        StringBuilder frame = new StringBuilder(64).append("{\"type\":\"welcome\",\"sid\":").append(Json.quote(sid))
                .append(",\"restored\":true,\"restored_ids\":[");
        String separator = "";
        for (String identifier : restoredIdentifiers) {
            frame.append(separator).append(Json.quote(identifier));
            separator = ",";
        }
        return frame.append("]}").toString();
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

    /**
     * A data frame of a stored publication, for extended sessions: {@link #data} plus
     * {@code "stream_id":S,"epoch":E,"offset":N}.
     */
    public static String data(String quotedIdentifier, String message, String type, String stream,
                              StreamPosition position) {
        String plain = data(quotedIdentifier, message, type);
        return new StringBuilder(plain.length() + stream.length() + 48)
                .append(plain, 0, plain.length() - 1)
                .append(",\"stream_id\":").append(Json.quote(stream))
                .append(",\"epoch\":").append(Json.quote(position.epoch()))
                .append(",\"offset\":").append(position.offset()).append('}').toString();
    }

    public static String confirmHistory(String identifier) {
        return "{\"type\":\"confirm_history\",\"identifier\":" + Json.quote(identifier) + "}";
    }

    public static String rejectHistory(String identifier) {
        return "{\"type\":\"reject_history\",\"identifier\":" + Json.quote(identifier) + "}";
    }

    /**
     * A presence frame of the server's own (an info or an error):
     * {@code {"type":"presence","identifier":ID,"message":M}}.
     */
    public static String presence(String identifier, String message) {
        return data(Json.quote(identifier), message, "presence");
    }

    /** The answer to a {@code presence} command that could not be served (docs/protocol.md §6.6). */
    public static String presenceInfoError(String identifier) {
        return presence(identifier, "{\"type\":\"error\",\"total\":0}");
    }

    /** The answer to a {@code join} or {@code leave} that could not be served (docs/protocol.md §6.6). */
    public static String presenceError(String identifier) {
        return presence(identifier, "{\"type\":\"error\"}");
    }
}
