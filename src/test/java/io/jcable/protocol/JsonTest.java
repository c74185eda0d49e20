package io.jcable.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void validJsonIsEmbeddedVerbatimNotReserialised() {
        assertEquals("{\"text\":\"hi\"}", Json.embed("{\"text\":\"hi\"}"));
        assertEquals("{\"b\":1,\"a\":1.50,\"s\":\"\\u003c\"}", Json.embed("{\"b\":1,\"a\":1.50,\"s\":\"\\u003c\"}"));
        assertEquals("42", Json.embed("42"));
        assertEquals("null", Json.embed("null"));
        assertEquals("[1,2]", Json.embed("  [1,2]\n"));
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
    }

    @Test
    void quotingKeepsCharactersThatHtmlEscapingWouldChange() {
        assertEquals("\"{\\\"channel\\\":\\\"A<B>&'=\\\"}\"", Json.quote("{\"channel\":\"A<B>&'=\"}"));
    }

    @Test
    void strictValidationRejectsLenientForms() {
        assertTrue(Json.isJsonValue("{\"a\":[true,false,null,1e3]}"));
        assertFalse(Json.isJsonValue("{a:1}"));
        assertFalse(Json.isJsonValue("'x'"));
        assertFalse(Json.isJsonValue("NaN"));
        assertFalse(Json.isJsonValue("1 2"));
    }
}
