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

    /**
     * {@code value} as a JSON string literal, as Gson writes it (control characters, U+2028 and U+2029 escaped,
     * no HTML escaping) and with unpaired surrogates escaped too, so that the frame can always be sent as UTF-8.
     */
    public static String quote(String value) {
        int length = value.length();
        int first = 0;
        while (first < length && !needsEscape(value, first)) {
            first++;
        }
        if (first == length) {
            return '"' + value + '"';
        }
        StringBuilder quoted = new StringBuilder(length + 16).append('"').append(value, 0, first);
        for (int i = first; i < length; i++) {
            char c = value.charAt(i);
            if (!needsEscape(value, i)) {
                quoted.append(c);
                continue;
            }
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                case '\b' -> quoted.append("\\b");
                case '\f' -> quoted.append("\\f");
                default -> quoted.append(String.format("\\u%04x", (int) c));
            }
        }
        return quoted.append('"').toString();
    }

    /** Whether the char at {@code i} must be escaped in a string literal. */
    private static boolean needsEscape(String value, int i) {
        char c = value.charAt(i);
        if (c == '"' || c == '\\' || c < 0x20 || c == '\u2028' || c == '\u2029') {
            return true;
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 == value.length() || !Character.isLowSurrogate(value.charAt(i + 1));
        }
        return Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(value.charAt(i - 1)));
    }

    /** A state map as JSON object text (Disconnect sends istate this way). */
    public static String toJson(Map<String, String> map) {
        return GSON.toJson(map);
    }

    /**
     * {@code text} as a JSON value to embed in a frame: the text itself, without surrounding JSON whitespace, when
     * it is exactly one valid JSON value that is safe to send as is (never re-serialised, never decoded twice),
     * else the text as a JSON string. The text is validated in one pass.
     */
    public static String embed(String text) {
        int start = JsonScanner.skipWhitespace(text, 0, text.length());
        int end = JsonScanner.trimEnd(text, start, text.length());
        return JsonScanner.isValue(text, start, end) ? text.substring(start, end) : quote(text);
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
}
