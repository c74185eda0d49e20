package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.jcable.protocol.Json;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Two jcable nodes with {@code ANYCABLE_BROKER=redis} on one Redis (pub/sub over Redis, broadcasts over HTTP and
 * redisx): a publication gets one position for the cluster, history of node A's publications is served by node B, a
 * session lost on node A is restored on node B without RPC and gets exactly one Disconnect in all, and after the
 * TTL the client connects anew.
 */
class RedisBrokerNodesTest extends RedisBrokerNodes {
    private CableServer nodeA;
    private CableServer nodeB;

    RedisBrokerNodesTest() {
        super("2");
    }

    @BeforeAll
    void startNodes() {
        nodeA = node("a");
        nodeB = node("b");
    }

    private CableClient ext(CableServer node, String query) {
        CableClient client = clients.client(node, query, EXT);
        JsonObject welcome = client.receive();
        assertEquals("welcome", welcome.get("type").getAsString(), welcome.toString());
        return client;
    }

    /** An extended client of {@code node} subscribed to {@code bench_<id>}. */
    private CableClient subscribed(CableServer node, String id) {
        CableClient client = ext(node, "");
        client.subscribe(channel(id));
        return client;
    }


    /** Drops the client's TCP connection and waits until the node has let the session go. */
    private static void lose(CableServer node, CableClient client) {
        long before = node.metric("clients_num");
        client.abort();
        node.awaitMetric("clients_num", n -> n < before, NodesSupport.WAIT);
    }

    private boolean cachedInRedis(String sid) {
        try (Jedis jedis = redis.connect()) {
            return jedis.exists("$jc:session:" + sid);
        }
    }

    @Test
    void aPublicationIsNumberedOnceForTheClusterAndNodeBServesTheHistoryOfNodeA() {
        String id = UUID.randomUUID().toString();
        String stream = "bench_" + id;
        CableClient onA = subscribed(nodeA, id);
        CableClient onB = subscribed(nodeB, id);
        NodesSupport.publish(nodeA, stream, 1);
        JsonObject first = onB.receive();
        String epoch = first.get("epoch").getAsString();
        NodesSupport.assertEntry(first, channel(id), stream, epoch, 1);
        NodesSupport.assertEntry(onA.receive(), channel(id), stream, epoch, 1);
        // A position the publisher wrote itself is not the broker's: replaced by the one it is stored at.
        NodesSupport.post(nodeB, "{\"stream\":" + Json.quote(stream) + ",\"data\":\"{\\\"n\\\":2}\","
                + "\"epoch\":\"fake\",\"offset\":99}");
        NodesSupport.assertEntry(onA.receive(), channel(id), stream, epoch, 2);
        NodesSupport.assertEntry(onB.receive(), channel(id), stream, epoch, 2);
        // Only after 2 arrived: the POST returns before its node published, and two nodes' publications of one
        // stream have no order between them on the pub/sub.
        NodesSupport.publish(nodeA, stream, 3);
        NodesSupport.assertEntry(onA.receive(), channel(id), stream, epoch, 3);
        NodesSupport.assertEntry(onB.receive(), channel(id), stream, epoch, 3);

        CableClient late = ext(nodeB, "");
        late.send("{\"command\":\"subscribe\",\"identifier\":" + Json.quote(channel(id)) + ",\"history\":{\"streams\":{"
                + Json.quote(stream) + ":{\"offset\":1,\"epoch\":" + Json.quote(epoch) + "}}}}");
        assertEquals("confirm_subscription", late.receive().get("type").getAsString());
        NodesSupport.assertEntry(late.receive(), channel(id), stream, epoch, 2);
        NodesSupport.assertEntry(late.receive(), channel(id), stream, epoch, 3);
        assertEquals("confirm_history", late.receive().get("type").getAsString());
    }

    @Test
    void aRedisxEntryIsStoredOnceByTheNodeThatReadsItAndDeliveredEverywhereAtThatPosition() {
        String id = UUID.randomUUID().toString();
        String stream = "bench_" + id;
        CableClient onA = subscribed(nodeA, id);
        CableClient onB = subscribed(nodeB, id);
        for (int n = 1; n <= 3; n++) {
            redis.xadd("__anycable__", NodesSupport.publication(stream, "{\"n\":" + n + "}"));
        }
        // Both nodes read entries of the group: the offsets follow the order of the stores, not of XADD.
        Map<Integer, JsonObject> seenOnA = positions(onA, 3);
        assertEquals(seenOnA, positions(onB, 3));
        assertEquals(Set.of(1L, 2L, 3L), seenOnA.values().stream().map(p -> p.get("offset").getAsLong())
                .collect(Collectors.toSet()));
        assertEquals(1, seenOnA.values().stream().map(p -> p.get("epoch")).distinct().count());
    }

    /** Message {@code n} → its position ({@code epoch}, {@code offset}), for the next {@code count} frames. */
    private static Map<Integer, JsonObject> positions(CableClient client, int count) {
        Map<Integer, JsonObject> positions = new HashMap<>();
        for (int i = 0; i < count; i++) {
            JsonObject frame = client.receive();
            JsonObject position = new JsonObject();
            position.add("epoch", frame.get("epoch"));
            position.add("offset", frame.get("offset"));
            positions.put(frame.getAsJsonObject("message").get("n").getAsInt(), position);
        }
        return positions;
    }

    @Test
    void aSessionLostOnNodeAIsRestoredOnNodeBAndGetsExactlyOneDisconnect() {
        String id = UUID.randomUUID().toString();
        CableClient first = clients.client(nodeA, "?test=uid&uid=" + id, EXT);
        String oldSid = first.receive().get("sid").getAsString();
        first.subscribe(channel(id));
        lose(nodeA, first);
        NodesSupport.await(() -> cachedInRedis(oldSid), "node A never cached the session in Redis");
        int callsBefore = app.calls().size();

        CableClient second = clients.client(nodeB, "?sid=" + oldSid, EXT);
        JsonObject welcome = second.receive();
        String newSid = welcome.get("sid").getAsString();
        assertNotEquals(oldSid, newSid);
        assertTrue(welcome.get("restored").getAsBoolean(), welcome.toString());
        assertEquals(List.of(channel(id)), welcome.getAsJsonArray("restored_ids").asList().stream()
                .map(e -> e.getAsString()).toList());
        NodesSupport.publish(nodeA, "bench_" + id, 1);
        JsonObject frame = second.receive();
        assertEquals(channel(id), frame.get("identifier").getAsString());
        assertEquals(1, frame.get("offset").getAsLong());
        // (earlier tests' clients may still be making their Disconnects)
        assertEquals(List.of(), app.calls().subList(callsBefore, app.calls().size()).stream()
                .filter(call -> !call.method().equals("Disconnect") || oldSid.equals(call.sid())).toList(),
                "no Connect, Subscribe or Disconnect for the restored session");

        // Node A's expiry takes the key back (and finds it restored) after the TTL.
        NodesSupport.await(() -> !cachedInRedis(oldSid), "node A never looked at its cached session again");
        lose(nodeB, second);
        app.awaitCall("Disconnect", call -> newSid.equals(call.sid()), NodesSupport.WAIT);
        NodesSupport.await(() -> !cachedInRedis(newSid), "node B never expired the restored session");
        assertEquals(List.of(newSid), app.calls("Disconnect").stream().map(call -> call.sid())
                .filter(sid -> sid.equals(oldSid) || sid.equals(newSid)).toList(), "exactly one Disconnect");
    }

    @Test
    void afterTheTtlTheClientConnectsAnewOnNodeBAndNodeAMadeTheDisconnect() {
        CableClient first = clients.client(nodeA, "", EXT);
        String oldSid = first.receive().get("sid").getAsString();
        lose(nodeA, first);
        app.awaitCall("Disconnect", call -> oldSid.equals(call.sid()), NodesSupport.WAIT);

        CableClient second = clients.client(nodeB, "?sid=" + oldSid, EXT);
        JsonObject welcome = second.receive();
        assertFalse(welcome.has("restored"), welcome.toString());
        String newSid = welcome.get("sid").getAsString();
        app.awaitCall("Connect", call -> newSid.equals(call.sid()), NodesSupport.WAIT);
        assertEquals(1, app.calls("Disconnect").stream().filter(call -> oldSid.equals(call.sid())).count());
    }
}
