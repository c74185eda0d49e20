package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.protocol.Json;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.LogCapture;
import io.jcable.testing.RedisServer;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code ANYCABLE_BROKER=redis} while Redis is down: one log line, broadcasts still delivered (without
 * positions), history refused, a lost session Redis never held disconnected at once, a new session served without
 * its live snapshot; after Redis is back (without its data) positions come again under a new epoch and history
 * works, without a restart.
 */
class RedisBrokerOutageTest {
    private static final CableClient.Options EXT = CableClient.Options.defaults()
            .withSubprotocols("actioncable-v1-ext-json").ignoring("ping");

    private static String history(String identifier, String stream, JsonObject at) {
        return "{\"command\":\"history\",\"identifier\":" + Json.quote(identifier) + ",\"history\":{\"streams\":{"
                + Json.quote(stream) + ":{\"offset\":" + at.get("offset") + ",\"epoch\":" + at.get("epoch") + "}}}}";
    }

    @Test
    void whileRedisIsDownBroadcastsArriveWithoutPositionsAndAfterwardsHistoryWorksAgain() {
        String id = UUID.randomUUID().toString();
        String stream = "bench_" + id;
        String channel = identifier("BenchmarkChannel", "id", id);
        try (RedisServer redis = RedisServer.start();
             FakeRpcApp app = FakeRpcApp.start(payload -> redis.publish("__anycable__", payload));
             NodesSupport clients = new NodesSupport()) {
            Map<String, String> options = NodesSupport.nodeOptions(app, redis, "n1", "http");
            options.put("broker", "redis");
            options.put("sessions_ttl", "60");
            try (CableServer node = CableServer.start(options)) {
                NodesSupport.awaitReady(node);
                CableClient client = clients.client(node, "", EXT);
                assertEquals("welcome", client.receive().get("type").getAsString());
                client.subscribe(channel);
                NodesSupport.publish(node, stream, 1);
                JsonObject before = client.receive();
                assertEquals(1, before.get("offset").getAsLong());

                String log;
                try (LogCapture capture = LogCapture.start()) {
                    redis.stop();
                    // The first publication's store fails, so the node knows Redis is lost before the next client.
                    NodesSupport.publish(node, stream, 2);
                    assertEquals("{\"identifier\":" + Json.quote(channel) + ",\"message\":{\"n\":2}}",
                            client.receiveRaw(), "delivered live without a position");
                    // Redis never held its snapshot, so nobody can restore it: its Disconnect is not deferred.
                    CableClient lost = clients.client(node, "", EXT);
                    String lostSid = lost.receive().get("sid").getAsString();
                    for (int n = 3; n <= 4; n++) {
                        NodesSupport.publish(node, stream, n);
                        assertEquals("{\"identifier\":" + Json.quote(channel) + ",\"message\":{\"n\":" + n + "}}",
                                client.receiveRaw(), "delivered live without a position");
                    }
                    client.send(history(channel, stream, before));
                    assertEquals("{\"type\":\"reject_history\",\"identifier\":" + Json.quote(channel) + "}",
                            client.receiveRaw());
                    lost.abort();
                    app.awaitCall("Disconnect", call -> lostSid.equals(call.sid()), NodesSupport.WAIT);
                    // A session that starts now: its live snapshot cannot be written; it goes on regardless.
                    CableClient newcomer = clients.client(node, "", EXT);
                    assertEquals("welcome", newcomer.receive().get("type").getAsString());
                    String perform = identifier("PerformChannel");
                    newcomer.subscribe(perform);
                    newcomer.perform(perform, JsonParser.parseString("{\"action\":\"tick\"}").getAsJsonObject());
                    assertEquals("{\"identifier\":" + Json.quote(perform) + ",\"message\":\"tock\"}",
                            newcomer.receiveRaw());
                    log = capture.text();
                } finally {
                    redis.restart();
                }
                assertEquals(1, log.split("The Redis broker lost Redis", -1).length - 1, log);
                assertEquals(List.of(), log.lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                        .filter(line -> !line.contains("lost Redis") && !line.contains("lost or failed")
                                && !line.contains("Presence lingers")).toList(), "no line per session or command");

                NodesSupport.awaitReady(node);
                // the node subscribes its streams again after the reconnect; before that, the pub/sub drops them
                NodesSupport.await(() -> redis.subscriberCount(stream) == 1, "the stream was never subscribed again");
                JsonObject after = null;
                for (int n = 5; after == null; n++) {
                    NodesSupport.publish(node, stream, n);
                    JsonObject frame = client.receive();
                    assertEquals(n, frame.getAsJsonObject("message").get("n").getAsInt());
                    after = frame.has("offset") ? frame : null;
                    assertFalse(n > 1000, "positions never came back");
                }
                assertEquals(1, after.get("offset").getAsLong(), "Redis came back without its data");
                assertNotEquals(before.get("epoch"), after.get("epoch"));
                NodesSupport.publish(node, stream, 0);
                assertEquals(2, client.receive().get("offset").getAsLong());
                CableClient fresh = clients.client(node, "", EXT);
                assertEquals("welcome", fresh.receive().get("type").getAsString());
                fresh.subscribe(channel);
                fresh.send(history(channel, stream, after));
                JsonObject missed = fresh.receive();
                assertEquals(2, missed.get("offset").getAsLong());
                assertEquals(after.get("epoch"), missed.get("epoch"));
                assertEquals("confirm_history", fresh.receive().get("type").getAsString());
            }
        }
    }
}
