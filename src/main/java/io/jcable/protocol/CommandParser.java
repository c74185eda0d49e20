package io.jcable.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns a client text frame into a {@link ClientCommand}. One streaming pass under strict RFC 8259 rules: the
 * fields that matter (and an extended client's {@code history} and {@code presence} members) are read, everything
 * else is validated and skipped without building a tree; a {@code data} member that is not a string (a whisper's
 * or a presence request's object) is read as a tree, bounded by the message size. As in a parsed object, a
 * repeated key keeps its last value.
 */
public final class CommandParser {
    /** Latest {@code since} taken: year 9999 (a bigger one would overflow the conversion to milliseconds). */
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(253_402_300_799L);
    /** The commands that name a subscription. */
    private static final Set<String> WITH_IDENTIFIER = Set.of("subscribe", "unsubscribe", "message", "history",
            "whisper", "join", "leave", "presence");
    private CommandParser() {
    }

    public static ClientCommand parse(String frame) {
        String command = null;
        String identifier = null;
        String data = null;
        JsonElement dataTree = null;
        HistoryRequest history = null;
        PresenceJoin presence = null;
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
                if (name.equals("history")) {
                    history = history(reader);
                    continue;
                }
                if (name.equals("presence")) {
                    presence = presence(reader);
                    continue;
                }
                if (name.equals("data") && reader.peek() != JsonToken.STRING) {
                    data = null;
                    dataTree = JsonParser.parseReader(reader);
                    continue;
                }
                String value = reader.peek() == JsonToken.STRING ? reader.nextString() : skip(reader);
                switch (name) {
                    case "command" -> command = value;
                    case "identifier" -> identifier = value;
                    case "data" -> {
                        data = value;
                        dataTree = null;
                    }
                    default -> {
                        // not ours: validated by the read, then forgotten
                    }
                }
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                return new ClientCommand.Malformed("invalid JSON");
            }
        } catch (IOException | IllegalStateException | NumberFormatException | JsonParseException e) {
            return new ClientCommand.Malformed("invalid JSON");
        }
        return command(new Fields(command, identifier, data, dataTree, history, presence));
    }

    /** The members of a command that matter. */
    private record Fields(String command, String identifier, String data, JsonElement dataTree,
                          HistoryRequest history, PresenceJoin presence) {

        /** The {@code data} member as JSON text whatever its type; null when absent. */
        String dataJson() {
            return data != null ? Json.quote(data) : dataTree != null ? dataTree.toString() : null;
        }

        /** A presence request's {@code return_records}: false only when given as false. */
        boolean returnRecords() {
            return !(dataTree instanceof JsonObject object && object.get("return_records") instanceof JsonElement flag
                    && flag.isJsonPrimitive() && flag.getAsJsonPrimitive().isBoolean() && !flag.getAsBoolean());
        }
    }

    /** Reads a {@code presence} member: {@code {"id":"42","info":…}}; the checks are {@link PresenceJoin#of}'s. */
    private static PresenceJoin presence(JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            reader.skipValue();
            return PresenceJoin.invalid("presence is not an object");
        }
        String id = null;
        String info = "null";
        reader.beginObject();
        while (reader.hasNext()) {
            switch (reader.nextName()) {
                case "id" -> id = reader.peek() == JsonToken.STRING ? reader.nextString() : skip(reader);
                case "info" -> info = JsonParser.parseReader(reader).toString();
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        return PresenceJoin.of(id, info);
    }

    /** Skips a value that is not a string; a field given so counts as absent. */
    private static String skip(JsonReader reader) throws IOException {
        reader.skipValue();
        return null;
    }

    /**
     * Reads a {@code history} member: {@code {"since":S,"streams":{NAME:{"offset":N,"epoch":"E"}}}}. A request that
     * is valid JSON but not a usable history request comes back {@link HistoryRequest#invalid} (it is answered with
     * {@code reject_history}); the reason never quotes the client's text.
     */
    private static HistoryRequest history(JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            reader.skipValue();
            return HistoryRequest.invalid("history is not an object");
        }
        long since = 0;
        Map<String, StreamPosition> streams = new LinkedHashMap<>();
        String invalid = null;
        reader.beginObject();
        while (reader.hasNext()) {
            switch (reader.nextName()) {
                case "since" -> {
                    long value = reader.peek() == JsonToken.NUMBER
                            ? seconds(reader.nextString()) : skipAsInvalid(reader);
                    if (value < 0) {
                        invalid = firstReason(invalid, "since is not a non-negative number");
                    } else {
                        since = value;
                    }
                }
                case "streams" -> {
                    if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                        reader.skipValue();
                        invalid = firstReason(invalid, "streams is not an object");
                        continue;
                    }
                    reader.beginObject();
                    while (reader.hasNext()) {
                        String stream = reader.nextName();
                        StreamPosition position = position(reader);
                        if (position == null) {
                            invalid = firstReason(invalid,
                                    "a stream position is not {offset: non-negative integer, epoch: string}");
                        } else {
                            streams.put(stream, position);
                        }
                    }
                    reader.endObject();
                }
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        return invalid != null ? HistoryRequest.invalid(invalid) : new HistoryRequest(since, Map.copyOf(streams), null);
    }

    /** {@code {"offset":N,"epoch":"E"}} with N a non-negative integer that fits a long; else null (consumed). */
    private static StreamPosition position(JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            reader.skipValue();
            return null;
        }
        long offset = -1;
        String epoch = null;
        reader.beginObject();
        while (reader.hasNext()) {
            switch (reader.nextName()) {
                case "offset" -> offset = reader.peek() == JsonToken.NUMBER
                        ? offset(reader.nextString()) : skipAsInvalid(reader);
                case "epoch" -> epoch = reader.peek() == JsonToken.STRING ? reader.nextString() : skip(reader);
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        return offset < 0 || epoch == null ? null : new StreamPosition(epoch, offset);
    }

    /** An integer literal that fits a long, else -1 (a fraction, an exponent, a huge or negative number). */
    private static long offset(String literal) {
        if (literal.isEmpty() || literal.length() > 19 || !literal.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Unix seconds, fractions cut off (clients may send milliseconds divided by 1000); -1 when unusable. */
    private static long seconds(String literal) {
        if (literal.length() > 40) {
            return -1;
        }
        try {
            BigDecimal value = new BigDecimal(literal);
            if (value.signum() < 0 || value.compareTo(MAX_SECONDS) > 0) {
                return -1;
            }
            return value.compareTo(BigDecimal.ONE) < 0 ? 0 : value.longValue();
        } catch (NumberFormatException | ArithmeticException e) {
            return -1;
        }
    }

    private static long skipAsInvalid(JsonReader reader) throws IOException {
        reader.skipValue();
        return -1;
    }

    private static String firstReason(String current, String reason) {
        return current != null ? current : reason;
    }

    private static ClientCommand command(Fields fields) {
        String command = fields.command();
        if (command == null) {
            return new ClientCommand.Unsupported("missing command");
        }
        if (command.equals("ping")) {
            return new ClientCommand.Ping();
        }
        if (command.equals("pong")) {
            return new ClientCommand.Pong();
        }
        if (!WITH_IDENTIFIER.contains(command)) {
            return new ClientCommand.Unsupported("unknown command " + command);
        }
        String identifier = fields.identifier();
        if (identifier == null) {
            return new ClientCommand.Unsupported(command + " without a string identifier");
        }
        return switch (command) {
            case "subscribe" -> new ClientCommand.Subscribe(identifier, fields.history(), fields.presence());
            case "history" -> fields.history() == null
                    ? new ClientCommand.Unsupported("history without a history request")
                    : new ClientCommand.History(identifier, fields.history());
            case "unsubscribe" -> new ClientCommand.Unsubscribe(identifier);
            case "whisper" -> fields.dataJson() == null
                    ? new ClientCommand.Unsupported("whisper without data")
                    : new ClientCommand.Whisper(identifier, fields.dataJson());
            case "join" -> new ClientCommand.Join(identifier,
                    fields.presence() != null ? fields.presence() : PresenceJoin.invalid("join without presence"));
            case "leave" -> new ClientCommand.Leave(identifier);
            case "presence" -> new ClientCommand.PresenceInfo(identifier, fields.returnRecords());
            default -> fields.data() == null
                    ? new ClientCommand.Unsupported("message data must be a JSON string")
                    : new ClientCommand.Message(identifier, fields.data());
        };
    }
}
