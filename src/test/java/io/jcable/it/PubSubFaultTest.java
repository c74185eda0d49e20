package io.jcable.it;

import static io.jcable.it.NodesSupport.post;
import static io.jcable.it.NodesSupport.publication;
import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.NatsServer;
import io.jcable.testing.RedisServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Redis and NATS failing under a running node: it keeps serving, delivers what it can, and recovers by itself. */
class PubSubFaultTest {
    private static final Duration OUTAGE = Duration.ofSeconds(10);
    private static final Duration STEP = Duration.ofMillis(500);
    private static final Duration RECONNECT_WAIT = Duration.ofSeconds(30);

    @Test
    void redisStoppedForTenSecondsWhileBroadcastsFlowThroughNatsThenThePubSubResumes() throws InterruptedException {
        try (RedisServer redis = RedisServer.start(); NatsServer nats = NatsServer.start();
             FakeRpcApp app = FakeRpcApp.start(payload -> { });
             NodesSupport support = new NodesSupport()) {
            Map<String, String> options = NodesSupport.nodeOptions(app, redis, "solo", "nats,http");
            options.put("nats_servers", nats.url());
            try (CableServer node = CableServer.start(options)) {
                NodesSupport.awaitReady(node);
                String id = identifier("StreamChannel");
                CableClient client = support.client(node, "");
                client.subscribe(id);
                assertEquals(1, redis.subscriberCount("a"));
                int n = 0;
                nats.publish("__anycable__", publication("a", "{\"n\":" + n + "}"));
                expect(client, id, n++);

                redis.stop();
                NodesSupport.await(() -> node.get("/health/ready").statusCode() == 503, "still ready without Redis");
                long end = System.nanoTime() + OUTAGE.toNanos();
                while (System.nanoTime() < end) {
                    nats.publish("__anycable__", publication("a", "{\"n\":" + n + "}"));
                    expect(client, id, n++);
                    Thread.sleep(STEP); // the pace of the steady stream, not a synchronisation
                }
                // Without the pub/sub, an HTTP publication is still delivered on this node.
                post(node, publication("a", "{\"n\":" + n + "}"));
                expect(client, id, n++);
                redis.restart();

                // The reconnect backoff after a 10 s outage is at most 16 s (RedisConnector.backoffMillis).
                NodesSupport.await(() -> redis.subscriberCount("a") == 1, "stream not re-subscribed after the outage",
                        RECONNECT_WAIT);
                NodesSupport.awaitReady(node);
                redis.publish("a", publication("a", "{\"n\":" + n + "}"));
                expect(client, id, n++);
                post(node, publication("a", "{\"n\":" + n + "}"));
                expect(client, id, n);
                client.expectNothing(STEP);
                assertTrue(node.metric("pubsub_reconnects_total") >= 1);
                assertEquals(1, node.metric("pubsub_streams_num"));
            }
        }
    }

    @Test
    void anUnreachableNatsAndARedisThatRefusesXgroupKeepTheNodeServingUntilTheyAreFixed() {
        try (RedisServer redis = RedisServer.start(); NatsServer nats = NatsServer.start();
             FakeRpcApp app = FakeRpcApp.start(payload -> { });
             NodesSupport support = new NodesSupport()) {
            nats.stop();
            redis.aclDefaultUser("-xgroup");
            Map<String, String> options = NodesSupport.nodeOptions(app, redis, "faulty", "nats,redisx,http");
            options.put("nats_servers", nats.url());
            try (CableServer node = CableServer.start(options)) {
                NodesSupport.await(() -> node.metric("redisx_reconnects_total") >= 1, "XGROUP refusal not counted");
                assertEquals(200, node.get("/health").statusCode());
                assertEquals(503, node.get("/health/ready").statusCode());
                String id = identifier("StreamChannel");
                CableClient client = support.client(node, "");
                client.subscribe(id);
                post(node, publication("a", "{\"n\":1}"));
                expect(client, id, 1);

                redis.aclDefaultUser("+xgroup");
                nats.restart();
                NodesSupport.awaitReady(node);
                redis.xadd("__anycable__", publication("a", "{\"n\":2}"));
                expect(client, id, 2);
                nats.publish("__anycable__", publication("a", "{\"n\":3}"));
                expect(client, id, 3);
            }
        }
    }

    private static void expect(CableClient client, String id, int n) {
        assertEquals(JsonParser.parseString(CableTestSupport.message(id, "{\"n\":" + n + "}")), client.receive());
    }
}
