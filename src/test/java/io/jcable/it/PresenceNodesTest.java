package io.jcable.it;

import static io.jcable.it.PresenceTest.info;
import static io.jcable.it.PresenceTest.joinEvent;
import static io.jcable.it.PresenceTest.leaveEvent;
import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import io.jcable.protocol.Json;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableProcess;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.RedisServer;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import redis.clients.jedis.Jedis;

/**
 * Two jcable nodes with {@code ANYCABLE_BROKER=redis} and the Redis pub/sub: presence records are shared (one join
 * for an id present on both nodes, one leave when its last session on either node left) and whispers reach the
 * other node; the records of a node that died end within their lease, and those of live sessions that Redis lost
 * come back. An absence is checked with a marker published through the node where the action happened: its
 * pub/sub publisher sends in order, and Redis delivers in that order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PresenceNodesTest {
    private static final CableClient.Options EXT = CableClient.Options.defaults()
            .withSubprotocols("actioncable-v1-ext-json").ignoring("ping");

    private RedisServer redis;
    private FakeRpcApp app;
    private CableServer a;
    private CableServer b;
    private final NodesSupport support = new NodesSupport();

    @BeforeAll
    void startNodes() {
        redis = RedisServer.start();
        app = FakeRpcApp.start(payload -> redis.publish("__anycable__", payload));
        a = node("node-a");
        b = node("node-b");
        NodesSupport.awaitReady(a);
        NodesSupport.awaitReady(b);
    }

    private CableServer node(String id) {
        Map<String, String> options = NodesSupport.nodeOptions(app, redis, id, "http");
        options.put("broker", "redis");
        options.put("pubsub", "redis");
        return CableServer.start(options);
    }

    @AfterEach
    void closeClients() {
        support.close();
    }

    @AfterAll
    void stop() {
        for (AutoCloseable part : new AutoCloseable[] {a, b, app, redis}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private CableClient ext(CableServer node) {
        CableClient client = support.client(node, "", EXT);
        assertEquals("welcome", client.receive().get("type").getAsString());
        return client;
    }

    private static CableTestSupport.Marker follow(CableClient client) {
        String stream = "marker_" + UUID.randomUUID();
        CableTestSupport.Marker marker = new CableTestSupport.Marker(stream,
                identifier("NamedStreamChannel", "stream", stream));
        client.subscribe(marker.identifier());
        return marker;
    }

    private static void assertMarkerIsNext(CableServer via, CableClient client, CableTestSupport.Marker marker) {
        NodesSupport.assertMarkerIsNext(via, client, marker.stream(), marker.identifier());
    }

    private static String join(String identifier, String id, String info) {
        return "{\"command\":\"join\",\"identifier\":" + Json.quote(identifier) + ",\"presence\":{\"id\":"
                + Json.quote(id) + ",\"info\":" + info + "}}";
    }

    @Test
    void oneIdOnBothNodesIsOneRecordWithOneJoinAndOneLeave() {
        String identifier = identifier("PresenceChannel", "stream", "room_" + UUID.randomUUID());
        CableClient observerA = ext(a);
        CableClient observerB = ext(b);
        CableClient onA = ext(a);
        CableClient onB = ext(b);
        for (CableClient client : new CableClient[] {observerA, observerB, onA, onB}) {
            client.subscribe(identifier);
        }
        CableTestSupport.Marker markerA = follow(observerA);
        CableTestSupport.Marker markerB = follow(observerB);

        onA.send(join(identifier, "u1", "{\"name\":\"Ann\"}"));
        String joined = joinEvent(identifier, "u1", "{\"name\":\"Ann\"}");
        for (CableClient client : new CableClient[] {observerA, observerB, onA, onB}) {
            assertEquals(joined, client.receiveRaw());
        }

        onB.send(join(identifier, "u1", "{\"name\":\"Ann\"}"));
        String one = "{\"type\":\"presence\",\"identifier\":" + Json.quote(identifier) + ",\"message\":{\"type\":"
                + "\"info\",\"total\":1,\"records\":[{\"id\":\"u1\",\"info\":{\"name\":\"Ann\"}}]}}";
        assertEquals(one, info(onB, identifier));
        assertMarkerIsNext(b, observerA, markerA);
        assertMarkerIsNext(b, observerB, markerB);
        assertEquals(one, info(observerA, identifier));

        onA.unsubscribe(identifier);
        assertEquals(one, info(observerA, identifier));
        assertMarkerIsNext(a, observerA, markerA);
        assertMarkerIsNext(a, observerB, markerB);

        onB.send("{\"command\":\"leave\",\"identifier\":" + Json.quote(identifier) + "}");
        assertEquals(leaveEvent(identifier, "u1"), observerA.receiveRaw());
        assertEquals(leaveEvent(identifier, "u1"), observerB.receiveRaw());
        assertEquals("{\"type\":\"presence\",\"identifier\":" + Json.quote(identifier) + ",\"message\":{\"type\":"
                + "\"info\",\"total\":0,\"records\":[]}}", info(observerB, identifier));
    }

    @Test
    void aWhisperReachesTheOtherNodeAndNotTheSender() {
        String identifier = identifier("PresenceChannel", "stream", "room_" + UUID.randomUUID());
        CableClient sender = ext(a);
        CableClient receiver = ext(b);
        sender.subscribe(identifier);
        receiver.subscribe(identifier);
        CableTestSupport.Marker marker = follow(sender);
        sender.send("{\"command\":\"whisper\",\"identifier\":" + Json.quote(identifier) + ",\"data\":\"psst\"}");
        assertEquals("{\"identifier\":" + Json.quote(identifier) + ",\"message\":\"psst\"}", receiver.receiveRaw());
        assertMarkerIsNext(a, sender, marker);
    }

    @Test
    void theRecordsOfANodeThatDiedEndWithinALeaseAndAnotherNodeAnnouncesTheLeave() {
        String identifier = identifier("PresenceChannel", "stream", "room_" + UUID.randomUUID());
        CableClient observer = ext(b);
        observer.subscribe(identifier);
        Map<String, String> options = NodesSupport.nodeOptions(app, redis, "node-dying", "http");
        options.put("broker", "redis");
        options.put("pubsub", "redis");
        options.put("presence_ttl", "1");
        try (CableProcess dying = CableProcess.start(options)) {
            CableClient onDying = CableClient.connect(dying.ws("/cable"), EXT);
            assertEquals("welcome", onDying.receive().get("type").getAsString());
            onDying.subscribe(identifier);
            onDying.send(join(identifier, "u9", "{}"));
            assertEquals(joinEvent(identifier, "u9", "{}"), observer.receiveRaw());
            dying.kill();
            onDying.close();
        }
        // The lease (3 s, the shortest) ends on node B's sweep: no session closed, no linger written.
        assertEquals(JsonParser.parseString(leaveEvent(identifier, "u9")), observer.receive(NodesSupport.WAIT));
    }

    @Test
    void aLiveSessionJoinsAgainWhenRedisLostItsRecord() {
        String identifier = identifier("PresenceChannel", "stream", "room_" + UUID.randomUUID());
        CableClient observer = ext(b);
        CableClient member = ext(a);
        observer.subscribe(identifier);
        member.subscribe(identifier);
        member.send(join(identifier, "u7", "{\"name\":\"Ann\"}"));
        String joined = joinEvent(identifier, "u7", "{\"name\":\"Ann\"}");
        assertEquals(joined, observer.receiveRaw());

        // What a Redis restart without persistence leaves: no record, no lease.
        try (Jedis jedis = redis.connect()) {
            jedis.flushAll();
        }
        // Node A's next renewal (every third of the 15 s lease) finds its live session's record gone.
        assertEquals(JsonParser.parseString(joined), observer.receive(NodesSupport.WAIT));
        assertEquals("{\"type\":\"presence\",\"identifier\":" + Json.quote(identifier) + ",\"message\":{\"type\":"
                + "\"info\",\"total\":1,\"records\":[{\"id\":\"u7\",\"info\":{\"name\":\"Ann\"}}]}}",
                info(observer, identifier));
    }
}
