package io.jcable.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void controlCharactersAndLineSeparatorsAreEscaped() {
        assertEquals("a\\nb\\r\\tc\\u0000\\u2028d", LogText.clip("a\nb\r\tc\u0000\u2028d"));
        assertEquals("plain", LogText.clip("plain"));
        assertEquals("null", LogText.clip(null));
    }

    @Test
    void longTextIsCutAndSaysHowLongItWas() {
        String cut = LogText.clip("y".repeat(5000));
        assertEquals("y".repeat(LogText.MAX_CHARS) + "…(5000 chars)", cut);
    }

    @Test
    void aSignedStreamNameInAnIdentifierIsLeftOut() {
        String identifier = "{\"channel\":\"$pubsub\",\"signed_stream_name\":\"ImNoYXQ6MSI=--a1b2\\\"c3\"}";
        assertEquals("{\"channel\":\"$pubsub\",\"signed_stream_name\":\"[redacted]\"}", LogText.identifier(identifier));
        String turbo = "{\"channel\":\"Turbo::StreamsChannel\", \"signed_stream_name\" : \"x--y\"}";
        assertEquals("{\"channel\":\"Turbo::StreamsChannel\", \"signed_stream_name\" : \"[redacted]\"}",
                LogText.identifier(turbo));
        assertEquals("{\"channel\":\"ChatChannel\",\"room\":\"a\"}", LogText.identifier("{\"channel\":\"ChatChannel\",\"room\":\"a\"}"));
    }
}
