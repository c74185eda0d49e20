package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.protocol.Json;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Helpers for tests with several jcable nodes: options, readiness, HTTP broadcasts, clients closed after each test. */
final class NodesSupport implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);

    private final List<CableClient> clients = new CopyOnWriteArrayList<>();

    /** The usual options of a node named {@code nodeId} with the given adapters (the pub/sub follows the Redis URL). */
    static Map<String, String> nodeOptions(FakeRpcApp app, RedisServer redis, String nodeId, String adapters) {
        Map<String, String> options = CableServer.options(app, redis);
        options.put("node_id", nodeId);
        options.put("broadcast_adapter", adapters);
        return options;
    }

    /** Waits until {@code /health/ready} answers 200. */
    static void awaitReady(CableServer server) {
        await(() -> server.get("/health/ready").statusCode() == 200, "node on port " + server.port() + " never ready");
    }

    /** Polls {@code condition} every 5 ms for at most {@link #WAIT}. */
    static void await(BooleanSupplier condition, String failure) {
        await(condition, failure, WAIT);
    }

    /** Polls {@code condition} every 5 ms for at most {@code timeout}. */
    static void await(BooleanSupplier condition, String failure, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    /** POST /_broadcast with the test key; asserts 201. */
    static void post(CableServer server, String body) {
        assertEquals(201, server.postBroadcast("/_broadcast", body).statusCode(), body);
    }

    /** Publishes {@code {"n":n}} to {@code stream} through {@code node}'s HTTP broadcast. */
    static void publish(CableServer node, String stream, int n) {
        post(node, publication(stream, "{\"n\":" + n + "}"));
    }

    /** Asserts that {@code frame} is exactly the stored publication {@code {"n":n}} at offset {@code n}. */
    static void assertEntry(JsonObject frame, String identifier, String stream, String epoch, long n) {
        assertEquals("{\"identifier\":" + Json.quote(identifier) + ",\"message\":{\"n\":" + n + "},\"stream_id\":"
                + Json.quote(stream) + ",\"epoch\":" + Json.quote(epoch) + ",\"offset\":" + n + "}", frame.toString());
    }

    /** {@code {"stream":stream,"data":data}} with {@code data} as a JSON string. */
    static String publication(String stream, String data) {
        JsonObject payload = new JsonObject();
        payload.addProperty("stream", stream);
        payload.addProperty("data", data);
        return payload.toString();
    }

    /**
     * Publishes {@code {"marker":true}} to {@code stream} through {@code via}'s HTTP broadcast, so through its pub/sub,
     * and asserts that it is {@code client}'s next frame (identifier and message; a position may come with it).
     */
    static void assertMarkerIsNext(CableServer via, CableClient client, String stream, String identifier) {
        post(via, publication(stream, "{\"marker\":true}"));
        JsonObject frame = client.receive();
        assertEquals(identifier, frame.get("identifier").getAsString(), frame.toString());
        assertEquals(JsonParser.parseString("{\"marker\":true}"), frame.get("message"));
    }

    CableClient client(CableServer server, String query) {
        return track(CableClient.connect(server.ws("/cable" + query)));
    }

    CableClient client(CableServer server, String query, CableClient.Options options) {
        return track(CableClient.connect(server.ws("/cable" + query), options));
    }

    private CableClient track(CableClient client) {
        clients.add(client);
        return client;
    }

    /** Closes this test's clients. */
    @Override
    public void close() {
        clients.forEach(CableClient::close);
        clients.clear();
    }
}
