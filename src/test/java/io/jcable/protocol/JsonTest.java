package io.jcable.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void validJsonIsEmbeddedVerbatimNotReserialised() {
        assertEquals("{\"text\":\"hi\"}", Json.embed("{\"text\":\"hi\"}"));
        assertEquals("{\"b\":1,\"a\":1.50,\"s\":\"\\u003c\"}", Json.embed("{\"b\":1,\"a\":1.50,\"s\":\"\\u003c\"}"));
        assertEquals("42", Json.embed("42"));
        assertEquals("null", Json.embed("null"));
        assertEquals("[1,2]", Json.embed("  [1,2]\n"));
        assertEquals("{ \"a\" : [ ] }", Json.embed("\r\n\t{ \"a\" : [ ] } "));
    }

    @Test
    void aJsonStringLiteralStaysAStringAndIsNeverDecodedTwice() {
        String literal = "\"{\\\"script\\\":{\\\"alert\\\":\\\"Message!\\\"}}\"";
        assertEquals(literal, Json.embed(literal));
    }

    @Test
    void textThatIsNotOneJsonValueIsSentAsAString() {
        assertEquals("\"hello world\"", Json.embed("hello world"));
        assertEquals("\"{\\\"a\\\":1} x\"", Json.embed("{\"a\":1} x"));
        assertEquals("\"\"", Json.embed(""));
        assertEquals("\"hello\"", Json.embed("hello"));
        // only JSON whitespace may surround a value: a vertical tab is not
        assertEquals("\"{}\\u000b\"", Json.embed("{}\u000b"));
    }

    @Test
    void rawControlCharactersInsideStringsAreNotJsonSoTheTextIsSentAsAString() {
        for (String text : List.of("{\"t\":\"x\ny\"}", "\"x\ty\"", "[\"\u0000\"]", "{\"\u001f\":1}", "\"\r\"")) {
            assertEmbeddedAsString(text, JsonTest::parseStrictly);
        }
        assertEquals("\"{\\\"t\\\":\\\"x\\ny\\\"}\"", Json.embed("{\"t\":\"x\ny\"}"));
        // escaped control characters are fine and stay as they are
        assertEquals("{\"t\":\"x\\ny\\u0000\"}", Json.embed("{\"t\":\"x\\ny\\u0000\"}"));
    }

    @Test
    void unpairedSurrogatesAreNotEmbeddedAndAreEscapedWhenQuoted() {
        for (String text : List.of("\"a\ud800b\"", "\"\udc00\"", "\"\udc00\ud800\"", "\"end\ud83d\"", "[\ud800]")) {
            // Gson's strict mode refuses even escaped unpaired surrogates, so decode leniently
            String embedded = assertEmbeddedAsString(text, json -> JsonParser.parseString(json).getAsString());
            assertTrue(embedded.chars().noneMatch(c -> Character.isSurrogate((char) c)), embedded);
        }
        assertEquals("\"a\\ud800b\"", Json.quote("a\ud800b"));
        assertEquals("\"\\udc00\\ud800\"", Json.quote("\udc00\ud800"));
        // a proper pair is one character (U+1F600) and stays as it is; an escaped lone surrogate is plain ASCII
        assertEquals("{\"e\":\"\ud83d\ude00\"}", Json.embed("{\"e\":\"\ud83d\ude00\"}"));
        assertEquals("\"\ud83d\ude00\"", Json.quote("\ud83d\ude00"));
        assertEquals("\"\\ud800\"", Json.embed("\"\\ud800\""));
    }

    @Test
    void quotingKeepsCharactersThatHtmlEscapingWouldChange() {
        assertEquals("\"{\\\"channel\\\":\\\"A<B>&'=\\\"}\"", Json.quote("{\"channel\":\"A<B>&'=\"}"));
    }

    @Test
    void quotingWritesWhatGsonWrites() {
        for (String text : List.of("plain", "q\"b\\s/", "\n\r\t\b\f\u0000\u0001\u001f\u007f", "\u2028\u2029", "é✓\ud83d\ude00")) {
            assertEquals(Json.GSON.toJson(text), Json.quote(text), text);
        }
    }

    @Test
    void strictValidationRejectsLenientForms() {
        assertTrue(isJsonValue("{\"a\":[true,false,null,1e3]}"));
        assertFalse(isJsonValue("{a:1}"));
        assertFalse(isJsonValue("'x'"));
        assertFalse(isJsonValue("NaN"));
        assertFalse(isJsonValue("1 2"));
    }

    @Test
    void grammarEdgeCases() {
        for (String valid : List.of("{}", "[]", "0", "-0", "-0.5E+3", "1e-7", "12.50", "\"\"", "\"\\/\\b\\f\\u00aF\"",
                "{\"a\":{\"b\":[1,{\"c\":null}]},\"d\":[[],{}]}", " [ 1 , 2 ] ", "true", "false")) {
            assertTrue(isJsonValue(valid), valid);
        }
        for (String invalid : List.of("", " ", "01", "-", "1.", ".5", "1e", "1e+", "+1", "[1,]", "{\"a\":1,}",
                "{\"a\" 1}", "{\"a\"}", "[", "]", "{", "[1]]", "{]", "[}", "[1 2]", "\"\\x\"", "\"\\u12G4\"", "\"\\u12\"",
                "\"abc", "tru", "nulll", "True", "{1:2}", "[,1]", "{,}", "\"a\"\"b\"")) {
            assertFalse(isJsonValue(invalid), invalid);
        }
    }

    @Test
    void deepNestingIsCheckedWithoutRecursion() {
        int depth = 200_000;
        String deep = "[{\"a\":".repeat(depth) + "1" + "}]".repeat(depth);
        assertTrue(isJsonValue(deep));
        assertFalse(isJsonValue(deep.substring(0, deep.length() - 1)));
    }

    /** The scanner agrees with Gson's strict parser (which checks whole strings) on many small random texts. */
    @Test
    void agreesWithGsonStrictParsingOnRandomTexts() {
        String[] pieces = {"{", "}", "[", "]", ":", ",", "\"", "\"a\"", "\\", "\\n", "\\u0041", "0", "1", "-", ".", "e",
                "+", " ", "\n", "\t", "true", "null", "fals", "x", "\u0001"};
        Random random = new Random(42);
        int valid = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = 1 + random.nextInt(8);
            for (int j = 0; j < length; j++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            String candidate = text.toString();
            // Gson reads an empty document as JSON null; it is not a value
            boolean expected = !candidate.isBlank() && Json.parseStrict(candidate) != null;
            assertEquals(expected, isJsonValue(candidate), candidate);
            valid += expected ? 1 : 0;
        }
        assertTrue(valid > 1000, "too few valid samples: " + valid);
    }

    /** Asserts that {@code text} is not embedded as is but as a string literal that decodes back to it. */
    private static String assertEmbeddedAsString(String text, UnaryOperator<String> decode) {
        assertFalse(isJsonValue(text), text);
        String embedded = Json.embed(text);
        assertEquals(text, decode.apply(embedded), embedded);
        return embedded;
    }

    /** The value of a JSON string literal, read by Gson in strict mode (which rejects raw control characters). */
    private static String parseStrictly(String json) {
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            return JsonParser.parseReader(reader).getAsString();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The scanner's verdict on a whole text, surrounding whitespace allowed. */
    private static boolean isJsonValue(String text) {
        return JsonScanner.isValue(text, 0, text.length());
    }
}
