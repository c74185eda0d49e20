package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Message;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.FakeRpcApp.RecordedCall;
import io.jcable.testing.RedisServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * One private redis-server, one fake gRPC app and one embedded jcable per test class; clients opened through
 * {@link #client} are closed after each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CableTestSupport {
    protected RedisServer redis;
    protected FakeRpcApp app;
    protected CableServer server;
    private final java.util.List<CableClient> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Extra or overriding options for this class's server. */
    protected void configure(Map<String, String> options) {
    }

    /** {@code ANYCABLE_RPC_HOST} for this class's servers: the fake app over gRPC unless overridden. */
    protected String rpcHost() {
        return app.target();
    }

    /** The usual test options with this class's RPC host. */
    private Map<String, String> options() {
        Map<String, String> options = CableServer.options(app, redis);
        options.put("rpc_host", rpcHost());
        return options;
    }

    @BeforeAll
    void startAll() {
        redis = RedisServer.start();
        app = FakeRpcApp.start(payload -> redis.publish("__anycable__", payload));
        Map<String, String> options = options();
        configure(options);
        server = CableServer.start(options);
        app.serverHost(server.ws("").getAuthority());
        awaitRedisSubscription();
    }

    /**
     * A jcable of the test's own, on the class's Redis and app (over {@link #rpcHost()}): the usual test options
     * with {@code overrides} (the class's {@link #configure} is not applied). The caller stops it.
     */
    protected CableServer startOwn(Map<String, String> overrides) {
        Map<String, String> options = options();
        options.putAll(overrides);
        return CableServer.start(options);
    }

    /** The calls the application saw from the given server (by the Env URL every call carries). */
    protected List<RecordedCall> callsFrom(CableServer from) {
        String url = from.http("/cable").toString();
        return app.calls().stream().filter(call -> envUrl(call.request()).startsWith(url)).toList();
    }

    private static String envUrl(Message request) {
        return switch (request) {
            case ConnectionRequest connect -> connect.getEnv().getUrl();
            case CommandMessage command -> command.getEnv().getUrl();
            case DisconnectRequest disconnect -> disconnect.getEnv().getUrl();
            default -> throw new AssertionError("unexpected request " + request);
        };
    }

    /** A jcable of the test's own with the usual test options less {@code removed}. The caller stops it. */
    protected CableServer startOwnWithout(String... removed) {
        Map<String, String> options = CableServer.options(app, redis);
        for (String name : removed) {
            options.remove(name);
        }
        return CableServer.start(options);
    }

    /** Broadcasts are lost until jcable's SUBSCRIBE is confirmed: wait for it (bounded). */
    protected void awaitRedisSubscription() {
        awaitRedisSubscribers(1);
    }

    /** Waits (bounded) until {@code count} servers, the class's and tests' own, are subscribed to Redis. */
    protected void awaitRedisSubscribers(int count) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (redis.subscriberCount("__anycable__") < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("jcable did not subscribe to Redis within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    @BeforeEach
    void resetApp() {
        app.clearCalls();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(CableClient::close);
        clients.clear();
    }

    @AfterAll
    void stopAll() {
        if (server != null) {
            server.close();
        }
        if (app != null) {
            app.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    protected CableClient client(String query) {
        return track(CableClient.connect(server.ws("/cable" + query)));
    }

    protected CableClient client(String query, CableClient.Options options) {
        return track(CableClient.connect(server.ws("/cable" + query), options));
    }

    protected CableClient track(CableClient client) {
        clients.add(client);
        return client;
    }

    /**
     * A new client's Connect gets through the failures the app was scripted with: its welcome arrives after exactly
     * {@code retries} retries of one logical call, and nothing counts as an error.
     */
    protected void assertConnectSucceedsAfterRetries(int retries) {
        Map<String, Long> before = server.metrics();
        CableClient c = client("", CableClient.Options.defaults().ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
        Map<String, Long> after = server.metrics();
        assertEquals(retries, after.get("rpc_retries_total") - before.get("rpc_retries_total"));
        assertEquals(1, after.get("rpc_call_total") - before.get("rpc_call_total"));
        assertEquals(before.get("rpc_error_total"), after.get("rpc_error_total"));
    }

    /** Publishes {@code {"stream":s,"data":<JSON text of value>}} through Redis. */
    protected void broadcast(String stream, String dataJson) {
        JsonObject payload = new JsonObject();
        payload.addProperty("stream", stream);
        payload.addProperty("data", dataJson);
        redis.publish("__anycable__", payload.toString());
    }

    /** anyt's matching: every expected top-level key present with an equal value; extra keys allowed. */
    protected static void assertFrame(String expectedJson, JsonObject actual) {
        JsonObject expected = JsonParser.parseString(expectedJson).getAsJsonObject();
        for (Map.Entry<String, JsonElement> entry : expected.entrySet()) {
            assertTrue(actual.has(entry.getKey()), "missing " + entry.getKey() + " in " + actual);
            assertEquals(entry.getValue(), actual.get(entry.getKey()), "key " + entry.getKey() + " in " + actual);
        }
    }

    protected static String message(String identifier, String messageJson) {
        JsonObject frame = new JsonObject();
        frame.addProperty("identifier", identifier);
        frame.add("message", JsonParser.parseString(messageJson));
        return frame.toString();
    }

    /** The raw {@code message} command as the client sends it, so its length is known. */
    protected static String perform(String identifier, String dataJson) {
        JsonObject command = new JsonObject();
        command.addProperty("command", "message");
        command.addProperty("identifier", identifier);
        command.addProperty("data", dataJson);
        return command.toString();
    }

    protected static String confirm(String identifier) {
        JsonObject frame = new JsonObject();
        frame.addProperty("identifier", identifier);
        frame.addProperty("type", "confirm_subscription");
        return frame.toString();
    }

    protected static String reject(String identifier) {
        JsonObject frame = new JsonObject();
        frame.addProperty("identifier", identifier);
        frame.addProperty("type", "reject_subscription");
        return frame.toString();
    }

    protected static JsonObject data(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }
}
