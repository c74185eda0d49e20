package io.jcable.broadcast;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.jcable.protocol.Json;
import io.jcable.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;

/** Parses broadcast payloads in the order of docs/broadcasting.md §1: publication, batch, command, else invalid. */
public final class BroadcastParser {
    private BroadcastParser() {
    }

    public static BroadcastMessage parse(String payload) {
        JsonElement root = Json.parseStrict(payload);
        if (root == null) {
            return new BroadcastMessage.Invalid("not valid JSON");
        }
        if (root.isJsonObject()) {
            JsonObject object = root.getAsJsonObject();
            if (nonEmptyString(object, "stream") != null) {
                return publication(object);
            }
            String command = nonEmptyString(object, "command");
            if (command != null) {
                return command(command, object);
            }
            return new BroadcastMessage.Invalid("object without a non-empty \"stream\" or \"command\"");
        }
        if (root.isJsonArray()) {
            return batch(root.getAsJsonArray());
        }
        return new BroadcastMessage.Invalid("expected a JSON object or array");
    }

    private static BroadcastMessage publication(JsonObject object) {
        JsonElement data = object.get("data");
        if (data == null || !data.isJsonPrimitive() || !data.getAsJsonPrimitive().isString()) {
            return new BroadcastMessage.Invalid("\"data\" must be a string");
        }
        String excludeSocket = null;
        String broadcastType = null;
        boolean transientData = false;
        JsonElement meta = object.get("meta");
        if (meta != null && meta.isJsonObject()) {
            excludeSocket = nonEmptyString(meta.getAsJsonObject(), "exclude_socket");
            broadcastType = nonEmptyString(meta.getAsJsonObject(), "broadcast_type");
            JsonElement flag = meta.getAsJsonObject().get("transient");
            transientData = flag != null && flag.isJsonPrimitive() && flag.getAsJsonPrimitive().isBoolean()
                    && flag.getAsBoolean();
        }
        return new BroadcastMessage.Publication(object.get("stream").getAsString(), data.getAsString(),
                excludeSocket, broadcastType, transientData, position(object));
    }

    /** A non-empty string {@code epoch} with a positive integer {@code offset}, else null. */
    private static StreamPosition position(JsonObject object) {
        String epoch = nonEmptyString(object, "epoch");
        JsonElement offset = object.get("offset");
        if (epoch == null || offset == null || !offset.isJsonPrimitive() || !offset.getAsJsonPrimitive().isNumber()) {
            return null;
        }
        try {
            long value = offset.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
            return value > 0 ? new StreamPosition(epoch, value) : null;
        } catch (ArithmeticException notAnInteger) {
            return null;
        }
    }

    /**
     * A batch (its first element has a non-empty stream): invalid elements are left out with the reason, the
     * valid ones are kept in array order, so one bad element does not cost the others.
     */
    private static BroadcastMessage batch(JsonArray array) {
        if (array.isEmpty() || !array.get(0).isJsonObject()
                || nonEmptyString(array.get(0).getAsJsonObject(), "stream") == null) {
            return new BroadcastMessage.Invalid("array whose first element has no non-empty \"stream\"");
        }
        List<BroadcastMessage.Publication> publications = new ArrayList<>(array.size());
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonElement element = array.get(i);
            boolean hasStream = element.isJsonObject() && nonEmptyString(element.getAsJsonObject(), "stream") != null;
            BroadcastMessage parsed = hasStream ? publication(element.getAsJsonObject())
                    : new BroadcastMessage.Invalid("no non-empty \"stream\"");
            if (parsed instanceof BroadcastMessage.Publication publication) {
                publications.add(publication);
            } else {
                skipped.add("element " + i + ": " + ((BroadcastMessage.Invalid) parsed).reason());
            }
        }
        return new BroadcastMessage.Batch(List.copyOf(publications), List.copyOf(skipped));
    }

    private static BroadcastMessage command(String command, JsonObject object) {
        if (!command.equals("disconnect")) {
            return new BroadcastMessage.UnknownCommand(command);
        }
        JsonElement payload = object.get("payload");
        if (payload == null || !payload.isJsonObject()) {
            return new BroadcastMessage.Invalid("disconnect command without a payload object");
        }
        String identifier = nonEmptyString(payload.getAsJsonObject(), "identifier");
        if (identifier == null) {
            return new BroadcastMessage.Invalid("disconnect command without payload.identifier");
        }
        JsonElement reconnect = payload.getAsJsonObject().get("reconnect");
        boolean again = reconnect != null && reconnect.isJsonPrimitive()
                && reconnect.getAsJsonPrimitive().isBoolean() && reconnect.getAsBoolean();
        return new BroadcastMessage.RemoteDisconnect(identifier, again);
    }

    private static String nonEmptyString(JsonObject object, String name) {
        JsonElement value = object.get(name);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            return null;
        }
        String text = value.getAsString();
        return text.isEmpty() ? null : text;
    }
}
