package io.jcable.it;

import static io.jcable.it.NodesSupport.publication;
import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.RedisServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;

/**
 * The {@code redisx} adapter across restarts: node R reads the stream, node S (http only) holds the subscriber, the
 * Redis pub/sub joins them. What is added while R is down arrives once R is back, once each, in order; entries a
 * dead consumer read and never acknowledged are taken over and delivered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisStreamsTest {
    private static final String STREAM = "__anycable__";
    private static final Duration QUIET = Duration.ofMillis(500);

    private RedisServer redis;
    private FakeRpcApp app;
    private CableServer subscriberNode;
    private final NodesSupport support = new NodesSupport();

    @BeforeAll
    void start() {
        redis = RedisServer.start();
        app = FakeRpcApp.start(payload -> redis.publish("__anycable__", payload));
        subscriberNode = CableServer.start(NodesSupport.nodeOptions(app, redis, "subscriber", "http"));
        NodesSupport.awaitReady(subscriberNode);
    }

    @AfterEach
    void closeClients() {
        support.close();
    }

    @AfterAll
    void stop() {
        subscriberNode.close();
        app.close();
        redis.close();
    }

    private CableServer reader() {
        CableServer reader = CableServer.start(NodesSupport.nodeOptions(app, redis, "reader", "redisx"));
        NodesSupport.awaitReady(reader);
        return reader;
    }

    /**
     * A subscriber on the subscriber node; the reading node runs once (the group exists and delivers {@code first}),
     * then, while no node reads, entries {@code first + 1 .. last} are added.
     */
    private CableClient subscribedWhileEntriesWait(String id, int first, int last) {
        CableClient client = support.client(subscriberNode, "");
        client.subscribe(id);
        try (CableServer reader = reader()) {
            redis.xadd(STREAM, publication("a", "{\"n\":" + first + "}"));
            expect(client, id, first);
        }
        for (int n = first + 1; n <= last; n++) {
            redis.xadd(STREAM, publication("a", "{\"n\":" + n + "}"));
        }
        return client;
    }

    @Test
    void publicationsAddedWhileTheReadingNodeIsDownArriveAfterItRestartsOnceEachInOrder() {
        String id = identifier("StreamChannel");
        CableClient client = subscribedWhileEntriesWait(id, 0, 5);
        client.expectNothing(QUIET);
        try (CableServer reader = reader()) {
            for (int n = 1; n <= 5; n++) {
                expect(client, id, n);
            }
            client.expectNothing(QUIET);
            NodesSupport.await(() -> pending() == 0, "entries left unacknowledged");
        }
    }

    @Test
    void entriesADeadConsumerLeftPendingAreDeliveredByALiveNode() {
        String id = identifier("StreamChannel");
        CableClient client = subscribedWhileEntriesWait(id, 10, 13);
        // A node that read these entries and was killed before acknowledging them.
        try (Jedis ghost = redis.connect()) {
            assertEquals(3, ghost.xreadGroup("bx", "killed-node", XReadGroupParams.xReadGroupParams().count(10),
                    Map.of(STREAM, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY)).getFirst().getValue().size());
        }
        assertEquals(3, pending());
        try (CableServer reader = reader()) {
            for (int n = 11; n <= 13; n++) {
                expect(client, id, n);
            }
            NodesSupport.await(() -> pending() == 0, "claimed entries left unacknowledged");
            NodesSupport.await(() -> reader.metric("redisx_claimed_total") == 3, "claims not counted");
        }
        client.expectNothing(QUIET);
    }

    private long pending() {
        try (Jedis jedis = redis.connect()) {
            return jedis.xpending(STREAM, "bx").getTotal();
        }
    }

    private static void expect(CableClient client, String id, int n) {
        assertEquals(JsonParser.parseString(CableTestSupport.message(id, "{\"n\":" + n + "}")), client.receive());
    }
}
