package io.jcable.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** Turns a client text frame into a {@link ClientCommand}. */
public final class CommandParser {
    private CommandParser() {
    }

    public static ClientCommand parse(String frame) {
        JsonElement element = Json.parseStrict(frame);
        if (element == null) {
            return new ClientCommand.Malformed("invalid JSON");
        }
        if (!element.isJsonObject()) {
            return new ClientCommand.Malformed("not a JSON object");
        }
        JsonObject object = element.getAsJsonObject();

        String command = stringField(object, "command");
        if (command == null) {
            return new ClientCommand.Unsupported("missing command");
        }
        if (command.equals("ping")) {
            return new ClientCommand.Ping();
        }
        if (command.equals("pong")) {
            return new ClientCommand.Pong();
        }
        if (!command.equals("subscribe") && !command.equals("unsubscribe") && !command.equals("message")) {
            return new ClientCommand.Unsupported("unknown command " + command);
        }
        String identifier = stringField(object, "identifier");
        if (identifier == null) {
            return new ClientCommand.Unsupported(command + " without a string identifier");
        }
        return switch (command) {
            case "subscribe" -> new ClientCommand.Subscribe(identifier);
            case "unsubscribe" -> new ClientCommand.Unsubscribe(identifier);
            default -> {
                String data = stringField(object, "data");
                yield data == null
                        ? new ClientCommand.Unsupported("message data must be a JSON string")
                        : new ClientCommand.Message(identifier, data);
            }
        };
    }

    private static String stringField(JsonObject object, String name) {
        JsonElement value = object.get(name);
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            return null;
        }
        return value.getAsString();
    }
}
