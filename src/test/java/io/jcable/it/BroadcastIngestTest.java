package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import io.jcable.protocol.Json;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Broadcast ingest end to end (docs/broadcasting.md): HTTP and Redis payloads, keys, batches, remote commands. */
class BroadcastIngestTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** Hex HMAC-SHA256(key = "s3Krit", message = "broadcast-cable"), computed with openssl. */
    private static final String KEY = "a239a7ca182c90fc32bdedf73703d271388cf433843affffd3a5e757041fc716";

    @Override
    protected void configure(Map<String, String> options) {
        options.remove("broadcast_key");
        options.put("secret", "s3Krit");
    }

    @Test
    void withoutAKeyOrSecretTheEndpointRefusesEveryRequestAndSaysHowToConfigureOne() {
        try (CableServer own = startOwnWithout("broadcast_key", "secret")) {
            String id = identifier("StreamChannel");
            CableClient c = track(CableClient.connect(own.ws("/cable")));
            c.subscribe(id);
            for (String authorization : new String[] {null, "Bearer ", "Bearer anything"}) {
                HttpResponse<String> refused = own.send(request(own, publication("a", "{\"n\":1}"), authorization));
                assertEquals(401, refused.statusCode(), String.valueOf(authorization));
                assertTrue(refused.body().contains("ANYCABLE_BROADCAST_KEY"), refused.body());
            }
            // Each refusal was answered before this publication was made: had one been delivered, it came first.
            awaitRedisSubscribers(2);
            broadcast("a", "{\"n\":2}");
            assertEquals(data(message(id, "{\"n\":2}")), c.receive());
        }
    }

    @Test
    void broadcastKeyNoneOpensTheEndpointToUnauthenticatedRequests() {
        try (CableServer own = startOwn(Map.of("broadcast_key", "none", "secret", "s3Krit"))) {
            String id = identifier("StreamChannel");
            CableClient c = track(CableClient.connect(own.ws("/cable")));
            c.subscribe(id);
            assertEquals(201, own.send(request(own, publication("a", "{\"n\":1}"), null)).statusCode());
            assertEquals(data(message(id, "{\"n\":1}")), c.receive());
        }
    }

    @Test
    void httpBroadcastNeedsTheKeyDerivedFromTheSecret() {
        String id = identifier("StreamChannel");
        CableClient c = subscribed(id);
        for (String authorization : new String[] {null, "Bearer wrong", "Bearer " + KEY.toUpperCase(Locale.ROOT), KEY}) {
            assertEquals(401, postOnNewConnection(publication("a", "{\"refused\":true}"), authorization).statusCode(),
                    String.valueOf(authorization));
        }
        // Each POST is handled before its answer: a frame for a refused one would have come before this one.
        assertEquals(201, post(publication("a", "{\"n\":1}")).statusCode());
        assertEquals(data(message(id, "{\"n\":1}")), c.receive());
    }

    @Test
    void batchesKeepPerStreamOrderOverHttpAndRedis() {
        String both = identifier("TwoStreamsChannel");
        String onlyA = identifier("StreamChannel");
        CableClient c = subscribed(both);
        CableClient c2 = subscribed(onlyA);
        StringBuilder batch = new StringBuilder("[");
        for (int n = 1; n <= 6; n++) {
            batch.append(n == 1 ? "" : ",").append(publication(n % 2 == 1 ? "a" : "b", "{\"n\":" + n + "}"));
        }
        String payload = batch.append(']').toString();
        assertEquals(201, post(payload).statusCode());
        assertReceivesInOrder(c, both, 1, 2, 3, 4, 5, 6);
        assertReceivesInOrder(c2, onlyA, 1, 3, 5);
        redis.publish("__anycable__", payload);
        assertReceivesInOrder(c, both, 1, 2, 3, 4, 5, 6);
        assertReceivesInOrder(c2, onlyA, 1, 3, 5);
    }

    @Test
    void broadcastTypeBecomesTheFramesLeadingType() {
        String id = identifier("StreamChannel");
        CableClient c = subscribed(id);
        String typed = "{\"stream\":\"a\",\"data\":\"{\\\"n\\\":1}\",\"meta\":{\"broadcast_type\":\"presence\"}}";
        assertEquals(201, post(typed).statusCode());
        assertEquals("{\"type\":\"presence\",\"identifier\":" + Json.quote(id) + ",\"message\":{\"n\":1}}", c.receiveRaw());
        redis.publish("__anycable__", typed.replace("presence", "custom"));
        assertEquals("{\"type\":\"custom\",\"identifier\":" + Json.quote(id) + ",\"message\":{\"n\":1}}", c.receiveRaw());
    }

    @Test
    void remoteDisconnectOverHttpClosesTheUsersSessions() {
        CableClient user = client("?test=uid&uid=31");
        CableClient other = client("?test=uid&uid=32");
        user.subscribe(identifier("EmptyChannel"));
        other.subscribe(identifier("EmptyChannel"));
        assertEquals(201, post("{\"command\":\"disconnect\",\"payload\":{\"identifier\":\"{\\\"uid\\\":\\\"31\\\"}\","
                + "\"reconnect\":true}}").statusCode());
        assertEquals(data("{\"type\":\"disconnect\",\"reason\":\"remote\",\"reconnect\":true}"), user.receive());
        assertEquals(1000, user.awaitClose(WAIT).getCloseCode().getCode());
        // The command wrote its frames before the POST was answered: one for this socket would come before the pong.
        other.send("{\"command\":\"ping\"}");
        assertEquals(data("{\"type\":\"pong\"}"), other.receive());
        assertTrue(other.isOpen());
    }

    @Test
    void anUnknownRemoteCommandIsCountedAndIgnored() {
        String id = identifier("StreamChannel");
        CableClient c = client("?test=uid&uid=33");
        c.subscribe(id);
        long commands = server.metric("remote_commands_total");
        assertEquals(201, post("{\"command\":\"reload\",\"payload\":{\"identifier\":\"{\\\"uid\\\":\\\"33\\\"}\"}}")
                .statusCode());
        assertEquals(commands + 1, server.metric("remote_commands_total"));
        // Handled before the POST was answered: a frame or a close for the command would have come before this.
        assertEquals(201, post(publication("a", "\"still here\"")).statusCode());
        assertEquals(data(message(id, "\"still here\"")), c.receive());
        assertTrue(c.isOpen());
    }

    @Test
    void broadcastCountersCountPayloadsStreamMessagesFailuresAndCommands() {
        Map<String, Long> before = server.metrics();
        assertEquals(201, post(publication("nobody", "1")).statusCode());
        assertEquals(201, post("[" + publication("x", "1") + "," + publication("y", "2") + "," + publication("x", "3") + "]")
                .statusCode());
        assertEquals(400, post("{\"stream\":\"x\",\"data\":{}}").statusCode());
        assertEquals(400, post("not json").statusCode());
        assertEquals(201, post("{\"command\":\"disconnect\",\"payload\":{\"identifier\":\"nobody\"}}").statusCode());
        assertEquals(201, post("{\"command\":\"reload\"}").statusCode());
        Map<String, Long> after = server.metrics();
        assertEquals(2, delta(before, after, "publications_total"));
        assertEquals(4, delta(before, after, "broadcast_msg_total"));
        assertEquals(2, delta(before, after, "failed_broadcast_msg_total"));
        assertEquals(2, delta(before, after, "remote_commands_total"));

        redis.publish("__anycable__", publication("nobody", "1"));
        redis.publish("__anycable__", "[]");
        server.awaitMetric("failed_broadcast_msg_total", value -> value == after.get("failed_broadcast_msg_total") + 1, WAIT);
        // Redis delivers in order: the publication before the invalid payload has been handled too.
        assertEquals(after.get("publications_total") + 1, server.metric("publications_total"));
        assertEquals(after.get("broadcast_msg_total") + 1, server.metric("broadcast_msg_total"));
    }

    @Test
    void aFrameSharedBySeveralSocketsArrivesWholeAtEachOfThemInOrder() {
        // One UTF-8 encoding is shared by the sockets of a broadcast (JettyTextFrames): every socket gets all of
        // it, multi-byte characters included, even after another socket's write of the same bytes.
        String id = identifier("StreamChannel");
        CableClient[] clients = {subscribed(id), subscribed(id), subscribed(id)};
        for (int n = 1; n <= 3; n++) {
            assertEquals(201, post(publication("a", "{\"n\":" + n + ",\"t\":\"h\u00e9llo \u20ac \uD83D\uDE00\"}"))
                    .statusCode());
        }
        for (CableClient c : clients) {
            for (int n = 1; n <= 3; n++) {
                assertEquals("{\"identifier\":" + Json.quote(id) + ",\"message\":{\"n\":" + n
                        + ",\"t\":\"h\u00e9llo \u20ac \uD83D\uDE00\"}}", c.receiveRaw());
            }
        }
    }

    @Test
    void dataWithRawControlCharactersInStringsArrivesAsValidJsonString() {
        String id = identifier("StreamChannel");
        CableClient c = subscribed(id);
        String text = "{\"t\":\"x\ny\t\u0000\"}";
        assertEquals(201, post(publication("a", text)).statusCode());
        JsonObject frame = parseStrictly(c.receiveRaw()).getAsJsonObject();
        assertEquals(id, frame.get("identifier").getAsString());
        assertEquals(text, frame.get("message").getAsString());
    }

    @Test
    void aBatchDeliversItsValidElementsInOrderAndSkipsTheInvalidOnes() {
        String id = identifier("TwoStreamsChannel");
        CableClient c = subscribed(id);
        String batch = "[" + publication("a", "{\"n\":1}") + ",{\"stream\":\"b\",\"data\":{\"n\":2}},"
                + publication("b", "{\"n\":3}") + ",42," + publication("a", "{\"n\":4}") + "]";
        long failed = server.metric("failed_broadcast_msg_total");
        long publications = server.metric("publications_total");
        assertEquals(201, post(batch).statusCode());
        assertReceivesInOrder(c, id, 1, 3, 4);
        assertEquals(failed + 2, server.metric("failed_broadcast_msg_total"));
        assertEquals(publications + 1, server.metric("publications_total"));

        redis.publish("__anycable__", batch);
        assertReceivesInOrder(c, id, 1, 3, 4);
        server.awaitMetric("failed_broadcast_msg_total", value -> value == failed + 4, WAIT);
    }

    @Test
    void aBatchWithoutAValidElementIsRefusedWith400() {
        String id = identifier("StreamChannel");
        CableClient c = subscribed(id);
        long failed = server.metric("failed_broadcast_msg_total");
        long publications = server.metric("publications_total");
        HttpResponse<String> refused = post("[{\"stream\":\"a\",\"data\":1},{\"data\":\"x\"}]");
        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("no valid batch element"), refused.body());
        assertEquals(failed + 2, server.metric("failed_broadcast_msg_total"));
        assertEquals(publications, server.metric("publications_total"));
        // Handled before the POST was answered: a frame for the refused batch would have come before this one.
        assertEquals(201, post(publication("a", "{\"after\":\"refused batch\"}")).statusCode());
        assertEquals(data(message(id, "{\"after\":\"refused batch\"}")), c.receive());
    }

    /** {@code {"stream":stream,"data":data}} with {@code data} as a JSON string. */
    private static String publication(String stream, String data) {
        JsonObject payload = new JsonObject();
        payload.addProperty("stream", stream);
        payload.addProperty("data", data);
        return payload.toString();
    }

    /** A new client with a confirmed subscription to {@code identifier}. */
    private CableClient subscribed(String identifier) {
        CableClient c = client("");
        c.subscribe(identifier);
        return c;
    }

    private HttpResponse<String> post(String body) {
        return server.send(request(body, "Bearer " + KEY));
    }

    /**
     * POST on a connection of its own: Jetty's per-connection header cache compares values ignoring case, so on a
     * connection that already carried the right key a case variant would reach the servlet as the right key.
     */
    private HttpResponse<String> postOnNewConnection(String body, String authorization) {
        try (HttpClient fresh = HttpClient.newHttpClient()) {
            return fresh.send(request(body, authorization), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private HttpRequest request(String body, String authorization) {
        return request(server, body, authorization);
    }

    /** POST /_broadcast to {@code target} with the given Authorization header (none when null). */
    private static HttpRequest request(CableServer target, String body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.http("/_broadcast"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    private static void assertReceivesInOrder(CableClient client, String identifier, int... numbers) {
        for (int n : numbers) {
            assertEquals(data(message(identifier, "{\"n\":" + n + "}")), client.receive());
        }
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String metric) {
        return after.getOrDefault(metric, 0L) - before.getOrDefault(metric, 0L);
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
