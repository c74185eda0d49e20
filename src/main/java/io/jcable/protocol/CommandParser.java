package io.jcable.protocol;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;

/**
 * Turns a client text frame into a {@link ClientCommand}. One streaming pass under strict RFC 8259 rules: the
 * three fields that matter are read, everything else is validated and skipped without building a tree (ext
 * clients add {@code history} objects to their subscribes). As in a parsed object, a repeated key keeps its
 * last value.
 */
public final class CommandParser {
    private CommandParser() {
    }

    public static ClientCommand parse(String frame) {
        String command = null;
        String identifier = null;
        String data = null;
        try (JsonReader reader = new JsonReader(new StringReader(frame))) {
            reader.setStrictness(Strictness.STRICT);
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                reader.skipValue();
                return reader.peek() == JsonToken.END_DOCUMENT
                        ? new ClientCommand.Malformed("not a JSON object") : new ClientCommand.Malformed("invalid JSON");
            }
            reader.beginObject();
            while (reader.hasNext()) {
                String name = reader.nextName();
                String value = reader.peek() == JsonToken.STRING ? reader.nextString() : skip(reader);
                switch (name) {
                    case "command" -> command = value;
                    case "identifier" -> identifier = value;
                    case "data" -> data = value;
                    default -> {
                        // not ours: validated by the read, then forgotten
                    }
                }
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                return new ClientCommand.Malformed("invalid JSON");
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            return new ClientCommand.Malformed("invalid JSON");
        }
        return command(command, identifier, data);
    }

    /** Skips a value that is not a string; a field given so counts as absent. */
    private static String skip(JsonReader reader) throws IOException {
        reader.skipValue();
        return null;
    }

    private static ClientCommand command(String command, String identifier, String data) {
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
        if (identifier == null) {
            return new ClientCommand.Unsupported(command + " without a string identifier");
        }
        return switch (command) {
            case "subscribe" -> new ClientCommand.Subscribe(identifier);
            case "unsubscribe" -> new ClientCommand.Unsubscribe(identifier);
            default -> data == null
                    ? new ClientCommand.Unsupported("message data must be a JSON string")
                    : new ClientCommand.Message(identifier, data);
        };
    }
}
