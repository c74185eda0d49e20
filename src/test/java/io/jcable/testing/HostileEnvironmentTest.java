package io.jcable.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.rpc.proto.ConnectionRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tests run the same whatever {@code ANYCABLE_*}, {@code JCABLE_*} or {@code REDIS_URL} the developer's shell
 * exports and whatever {@code anycable.*} / {@code jcable.*} system properties the test JVM has, although jcable
 * ranks both above the init parameters the harness configures it with: a jcable started by the harness with
 * hostile values where this process's environment and system properties would be keeps the test's options and
 * jcable's defaults.
 */
final class HostileEnvironmentTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void theTestsOptionsAndTheDefaultsWinOverTheProcesssOwnSettings() {
        try (RedisServer redis = RedisServer.start(); FakeRpcApp app = FakeRpcApp.start(payload -> { })) {
            String closed = "127.0.0.1:" + closedPort();
            Map<String, String> environment = new HashMap<>(System.getenv());
            environment.putAll(Map.ofEntries(
                    // options the test sets
                    Map.entry("ANYCABLE_RPC_HOST", closed),
                    Map.entry("ANYCABLE_REDIS_URL", "redis://" + closed),
                    Map.entry("ANYCABLE_BROADCAST_ADAPTER", "http"),
                    Map.entry("ANYCABLE_HEADERS", ""),
                    // options the test leaves at their defaults
                    Map.entry("REDIS_URL", "redis://" + closed),
                    Map.entry("ANYCABLE_PATH", "/elsewhere"),
                    Map.entry("ANYCABLE_MAX_MESSAGE_SIZE", "16"),
                    Map.entry("ANYCABLE_ALLOWED_ORIGINS", "hostile.test"),
                    Map.entry("JCABLE_SID_FROM_REQUEST_ID", "true")));
            Map<String, String> properties = Map.of("anycable.rpc_host", closed, "anycable.metrics_http", "/hostile",
                    "anycable.path", "/elsewhere", "jcable.sid_from_request_id", "true");

            try (CableServer server = CableServer.start(CableServer.options(app, redis), environment, properties::get)) {
                CableClient c = CableClient.connect(server.ws("/cable?n=hostile"), CableClient.Options.defaults()
                        .withHeader("Origin", "https://any.test").withHeader("x-api-token", "abc")
                        .withHeader("X-Request-ID", "req-hostile"));
                String id = CableClient.identifier("StreamChannel");
                // The path is /cable, any origin is allowed, and Connect and Command reach the test's app.
                c.subscribe(id);
                FakeRpcApp.RecordedCall connect = app.awaitCall("Connect", call -> true, WAIT);
                // The test's header list, and a generated sid rather than the request id.
                assertEquals(Map.of("x-api-token", "abc", "REMOTE_ADDR", "127.0.0.1"),
                        connect.request(ConnectionRequest.class).getEnv().getHeadersMap());
                assertEquals(21, connect.sid().length(), connect.sid());
                // A message far over 16 bytes is taken: the default 64 KiB limit.
                c.send("{\"command\":\"ping\",\"pad\":\"" + "x".repeat(100) + "\"}");
                assertEquals(JsonParser.parseString("{\"type\":\"pong\"}"), c.receive());
                // The test's Redis adapter and URL: a broadcast published there arrives.
                awaitSubscribed(redis);
                redis.publish("__anycable__", "{\"stream\":\"a\",\"data\":\"{\\\"via\\\":\\\"redis\\\"}\"}");
                JsonObject expected = new JsonObject();
                expected.addProperty("identifier", id);
                expected.add("message", JsonParser.parseString("{\"via\":\"redis\"}"));
                assertEquals(expected, c.receive());
                // Metrics where the test's options put them.
                assertEquals(1, server.metric("clients_num"));
                c.close();
            }
        }
    }

    private static void awaitSubscribed(RedisServer redis) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (redis.subscriberCount("__anycable__") < 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("jcable did not subscribe to the test's Redis within " + WAIT);
            }
            Thread.onSpinWait();
        }
    }

    /** A local port nothing listens on (just released). */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
