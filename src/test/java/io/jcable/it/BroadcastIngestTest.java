package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import io.jcable.testing.CableClient;
import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Broadcast ingest end to end (broadcasting.md): HTTP and Redis payloads, keys, batches, remote commands. */
class BroadcastIngestTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(500);
    /** Hex HMAC-SHA256(key = "s3Krit", message = "broadcast-cable"), computed with openssl. */
    private static final String KEY = "a239a7ca182c90fc32bdedf73703d271388cf433843affffd3a5e757041fc716";

    @Override
    protected void configure(Map<String, String> options) {
        options.put("secret", "s3Krit");
    }

    @Test
    void dataWithRawControlCharactersInStringsArrivesAsValidJsonString() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        String text = "{\"t\":\"x\ny\t\u0000\"}";
        assertEquals(201, post(publication("a", text)).statusCode());
        JsonObject frame = parseStrictly(c.receiveRaw()).getAsJsonObject();
        assertEquals(id, frame.get("identifier").getAsString());
        assertEquals(text, frame.get("message").getAsString());
    }

    @Test
    void aBatchDeliversItsValidElementsInOrderAndSkipsTheInvalidOnes() {
        String id = identifier("TwoStreamsChannel");
        CableClient c = client("");
        c.subscribe(id);
        String batch = "[" + publication("a", "{\"n\":1}") + ",{\"stream\":\"b\",\"data\":{\"n\":2}},"
                + publication("b", "{\"n\":3}") + ",42," + publication("a", "{\"n\":4}") + "]";
        long failed = server.metric("failed_broadcast_msg_total");
        long publications = server.metric("publications_total");
        assertEquals(201, post(batch).statusCode());
        for (int n : new int[] {1, 3, 4}) {
            assertEquals(data(message(id, "{\"n\":" + n + "}")), c.receive());
        }
        assertEquals(failed + 2, server.metric("failed_broadcast_msg_total"));
        assertEquals(publications + 1, server.metric("publications_total"));

        redis.publish("__anycable__", batch);
        for (int n : new int[] {1, 3, 4}) {
            assertEquals(data(message(id, "{\"n\":" + n + "}")), c.receive());
        }
        server.awaitMetric("failed_broadcast_msg_total", value -> value == failed + 4, WAIT);
    }

    @Test
    void aBatchWithoutAValidElementIsRefusedWith400() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        long failed = server.metric("failed_broadcast_msg_total");
        long publications = server.metric("publications_total");
        HttpResponse<String> refused = post("[{\"stream\":\"a\",\"data\":1},{\"data\":\"x\"}]");
        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("no valid batch element"), refused.body());
        assertEquals(failed + 2, server.metric("failed_broadcast_msg_total"));
        assertEquals(publications, server.metric("publications_total"));
        c.expectNothing(QUIET);
    }

    /** {@code {"stream":stream,"data":data}} with {@code data} as a JSON string. */
    private static String publication(String stream, String data) {
        JsonObject payload = new JsonObject();
        payload.addProperty("stream", stream);
        payload.addProperty("data", data);
        return payload.toString();
    }

    private HttpResponse<String> post(String body) {
        return server.send(HttpRequest.newBuilder(server.http("/_broadcast"))
                .header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Gson in strict mode, which (unlike the test client's lenient parse) refuses raw control characters. */
    private static JsonElement parseStrictly(String json) {
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            return JsonParser.parseReader(reader);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
