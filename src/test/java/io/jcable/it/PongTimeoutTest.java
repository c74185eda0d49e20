package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.jcable.testing.CableClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ANYCABLE_PONG_TIMEOUT} on the wire (docs/protocol.md §6.4). */
class PongTimeoutTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Override
    protected void configure(Map<String, String> options) {
        options.put("ping_interval", "1");
        options.put("pong_timeout", "1");
    }

    @Test
    void aSilentExtendedSessionIsClosedWithNoPongWhileAnAnsweringOneAndAV1OneStay() {
        CableClient silent = client("", CableClient.Options.defaults()
                .withSubprotocols("actioncable-v1-ext-json").ignoring("ping"));
        CableClient answering = client("", CableClient.Options.defaults()
                .withSubprotocols("actioncable-v1-ext-json").ignoring());
        CableClient v1 = client("", CableClient.Options.defaults().ignoring("ping"));
        assertEquals("welcome", silent.receive().get("type").getAsString());
        assertEquals("welcome", v1.receive().get("type").getAsString());
        int answered = 0;
        // The silent one is due after about two pings; twenty answered pings without its close is a failure.
        while (silent.isOpen() && answered < 20) {
            JsonObject frame = answering.receive(WAIT);
            if (frame.has("type") && frame.get("type").getAsString().equals("ping")) {
                answering.send("{\"command\":\"pong\"}");
                answered++;
            }
        }
        assertEquals("{\"type\":\"disconnect\",\"reason\":\"no_pong\",\"reconnect\":true}", silent.receiveRaw());
        assertEquals(1000, silent.awaitClose(WAIT).getCloseCode().getCode());
        assertTrue(answered >= 1);
        assertTrue(answering.isOpen());
        assertTrue(v1.isOpen());
    }
}
