package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Broadcast ingest end to end (broadcasting.md): HTTP and Redis payloads, keys, batches, remote commands. */
class BroadcastIngestTest extends CableTestSupport {
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
