package io.jcable.protocol;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.Map;

/** JSON helpers shared by the protocol and broadcast code: one Gson, strict validation, verbatim embedding. */
public final class Json {
    /** No HTML escaping: identifiers and strings go back to clients with the characters they sent. */
    public static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private Json() {
    }

    /** {@code value} as a JSON string literal. */
    public static String quote(String value) {
        return GSON.toJson(value);
    }

    /** A state map as JSON object text (Disconnect sends istate this way). */
    public static String toJson(Map<String, String> map) {
        return GSON.toJson(map);
    }

    /**
     * {@code text} as a JSON value to embed in a frame: the trimmed text itself when it is exactly one valid
     * JSON value (never re-serialised, never decoded twice), else the text as a JSON string.
     */
    public static String embed(String text) {
        String trimmed = text.strip();
        return isJsonValue(trimmed) ? trimmed : quote(text);
    }

    /** {@code text} parsed as exactly one JSON value under strict RFC 8259 rules, or null when it is not. */
    public static JsonElement parseStrict(String text) {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = JsonParser.parseReader(reader);
            return reader.peek() == JsonToken.END_DOCUMENT ? element : null;
        } catch (JsonParseException | IOException | IllegalStateException e) {
            return null;
        }
    }

    /** Whether {@code text} is exactly one JSON value under strict RFC 8259 rules (without building a tree). */
    public static boolean isJsonValue(String text) {
        if (text.isEmpty()) {
            return false;
        }
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            reader.skipValue();
            return reader.peek() == JsonToken.END_DOCUMENT;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            return false;
        }
    }
}
