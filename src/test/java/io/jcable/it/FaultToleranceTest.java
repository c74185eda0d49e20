package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.NonReadingClient;
import io.jcable.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Faults around the server: the RPC app and Redis going away and coming back, clients that misbehave. */
class FaultToleranceTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Override
    protected void configure(Map<String, String> options) {
        options.put("rpc_command_timeout", "1000");
    }

    @Test
    void rpcServerDownThenUp() {
        String stream = identifier("StreamChannel");
        CableClient bystander = client("");
        bystander.subscribe(stream);
        app.stop();
        try {
            CableClient refused = client("", CableClient.Options.defaults().ignoring());
            assertEquals(data("{\"type\":\"disconnect\",\"reason\":\"server_error\",\"reconnect\":true}"),
                    refused.receive());
            assertEquals(1011, refused.awaitClose(WAIT).getCloseCode().getCode());

            String empty = identifier("EmptyChannel");
            bystander.sendSubscribe(empty);
            assertEquals(data(reject(empty)), bystander.receive());

            broadcast("a", "{\"still\":\"here\"}");
            assertEquals(data(message(stream, "{\"still\":\"here\"}")), bystander.receive());
        } finally {
            app.restart();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            CableClient retry = client("", CableClient.Options.defaults().ignoring("ping"));
            JsonObject first = retry.receive();
            if ("welcome".equals(first.get("type").getAsString())) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "no welcome within 15 s of the RPC server's return");
        }
        bystander.subscribe(identifier("EmptyChannel"));
    }

    @Test
    void redisStoppedThenRestartedBroadcastsResume() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        long reconnects = server.metric("redis_reconnects_total");
        redis.stop();
        try {
            awaitReady(503);
            CableClient during = client("");
            during.subscribe(identifier("EmptyChannel"));
        } finally {
            redis.restart();
        }
        awaitRedisSubscription();
        awaitReady(200);
        broadcast("a", "{\"after\":\"restart\"}");
        assertEquals(data(message(id, "{\"after\":\"restart\"}")), c.receive());
        // One failed attempt per backoff step while Redis was down: how many depends on how long that was.
        assertTrue(server.metric("redis_reconnects_total") > reconnects, "redis_reconnects_total did not grow");
    }

    @Test
    void redisDownAtStartDoesNotKeepTheServerFromServingAndBroadcastsFlowOnceItIsUp() {
        try (RedisServer late = RedisServer.start()) {
            late.stop();
            try (CableServer own = CableServer.start(CableServer.options(app, late))) {
                assertEquals(200, own.get("/health").statusCode());
                assertEquals(503, own.get("/health/ready").statusCode());
                String id = identifier("StreamChannel");
                CableClient c = track(CableClient.connect(own.ws("/cable")));
                c.subscribe(id);
                late.restart();
                own.awaitMetric("redis_subscribed", subscribed -> subscribed == 1, Duration.ofSeconds(15));
                assertEquals(200, own.get("/health/ready").statusCode());
                late.publish("__anycable__", "{\"stream\":\"a\",\"data\":\"{\\\"late\\\":true}\"}");
                assertEquals(data(message(id, "{\"late\":true}")), c.receive());
                assertTrue(own.metric("redis_reconnects_total") >= 1);
            }
        }
    }

    @Test
    void clientClosingMidCommandGetsItsDisconnectAndOthersCarryOn() {
        CableClient other = client("");
        String perform = identifier("PerformChannel");
        other.subscribe(perform);
        FakeRpcApp.Gate gate = app.hold("Command");
        CableClient leaving = client("?n=leaving");
        String id = identifier("StateChannel", "name", "gone");
        try {
            leaving.sendSubscribe(id);
            gate.awaitBlocked(1, WAIT);
            leaving.close();
            // The server answers the client's close in kind, even with a command in flight.
            assertEquals(1000, leaving.awaitClose(WAIT).getCloseCode().getCode());
        } finally {
            gate.release();
        }
        DisconnectRequest request = app.awaitCall("Disconnect", FaultToleranceTest::fromLeaving, WAIT)
                .request(DisconnectRequest.class);
        assertEquals(List.of(id), request.getSubscriptionsList());
        other.perform(perform, data("{\"action\":\"tick\"}"));
        assertEquals(data(message(perform, "\"tock\"")), other.receive());
        assertEquals(1, app.calls("Disconnect").stream().filter(FaultToleranceTest::fromLeaving).count());
    }

    @Test
    void clientThatNeverReadsIsCutOffWhileOthersGetEverything() throws Exception {
        String id = identifier("StreamChannel");
        CableClient reader = client("");
        reader.subscribe(id);
        long slowBefore = server.metric("disconnected_slow_clients_total");
        try (NonReadingClient stuck = subscribedNonReader(id, 2)) {
            String chunk = "x".repeat(32_000);
            int count = 300;
            for (int i = 0; i < count; i++) {
                broadcast("a", "{\"n\":" + i + ",\"pad\":\"" + chunk + "\"}");
            }
            for (int i = 0; i < count; i++) {
                assertEquals(i, reader.receive().getAsJsonObject("message").get("n").getAsInt());
            }
            assertEquals(slowBefore + 1, server.metric("disconnected_slow_clients_total"));
        }
        assertTrue(reader.isOpen());
    }

    @Test
    void writeBlockedLongerThanTheWriteTimeoutDropsTheClient() throws Exception {
        String id = identifier("StreamChannel");
        CableClient reader = client("");
        reader.subscribe(id);
        long slowBefore = server.metric("disconnected_slow_clients_total");
        try (NonReadingClient stuck = subscribedNonReader(id, 2)) {
            // One frame (none queued behind it) bigger than the 4 MiB the kernel send buffer can grow to: the write blocks.
            broadcast("a", "{\"pad\":\"" + "z".repeat(6_000_000) + "\"}");
            reader.receive();
            server.awaitMetric("disconnected_slow_clients_total", cut -> cut == slowBefore + 1, Duration.ofSeconds(10));
            assertTrue(stuck.awaitEndOfStream(Duration.ofSeconds(10)), "connection to the stuck client not closed");
        }
        broadcast("a", "{\"after\":1}");
        assertEquals(data(message(id, "{\"after\":1}")), reader.receive());
    }

    /**
     * A raw client that subscribes to {@code id} and then never reads; returns once the app has seen
     * {@code commandsSeen} Commands in this test (the reader's subscribe, then this one).
     */
    private NonReadingClient subscribedNonReader(String id, int commandsSeen) throws java.io.IOException {
        NonReadingClient stuck = NonReadingClient.connect(server.ws("/cable"));
        stuck.sendText("{\"command\":\"subscribe\",\"identifier\":" + new com.google.gson.Gson().toJson(id) + "}");
        app.awaitCallCount("Command", commandsSeen, WAIT);
        return stuck;
    }

    private static boolean fromLeaving(FakeRpcApp.RecordedCall call) {
        return call.request(DisconnectRequest.class).getEnv().getUrl().endsWith("?n=leaving");
    }

    private void awaitReady(int status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.get("/health/ready").statusCode() != status) {
            assertTrue(System.nanoTime() < deadline, "/health/ready never answered " + status);
            Thread.onSpinWait();
        }
    }
}
