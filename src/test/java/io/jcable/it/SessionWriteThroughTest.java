package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.protocol.Json;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableProcess;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.TcpProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A live extended session's snapshot written through to Redis (docs/protocol.md §6.2, {@code ANYCABLE_BROKER=redis}):
 * a client whose node was SIGKILLed is restored on another node with what it missed; a live session restored
 * elsewhere is closed on its old node without a Disconnect; state changed by a perform travels; a clean close and a
 * graceful shutdown delete the snapshot (a clean close while Redis is unreachable, once it is back). Nodes B and C
 * run in this JVM; the node that is killed runs in its own.
 */
class SessionWriteThroughTest extends RedisBrokerNodes {
    private CableServer nodeB;
    private CableServer nodeC;

    SessionWriteThroughTest() {
        super("30");
    }

    @BeforeAll
    void startNodes() {
        nodeB = node("b");
        nodeC = node("c");
    }

    private static String sidOf(CableClient client) {
        JsonObject welcome = client.receive();
        assertEquals("welcome", welcome.get("type").getAsString(), welcome.toString());
        return welcome.get("sid").getAsString();
    }

    /** Connects to {@code node} with {@code ?sid=oldSid} and asserts the restored welcome; returns the new sid. */
    private String restoredOn(CableClient client, String oldSid, String... identifiers) {
        JsonObject welcome = client.receive();
        String newSid = welcome.get("sid").getAsString();
        assertNotEquals(oldSid, newSid);
        assertTrue(welcome.has("restored") && welcome.get("restored").getAsBoolean(), welcome.toString());
        assertEquals(Set.of(identifiers), Set.copyOf(welcome.getAsJsonArray("restored_ids").asList().stream()
                .map(e -> e.getAsString()).toList()));
        return newSid;
    }

    /** What Redis holds for {@code sid}: the snapshot as JSON, the restored marker as a string, or null. */
    private String cached(String sid) {
        try (Jedis jedis = redis.connect()) {
            return jedis.get("$jc:session:" + sid);
        }
    }

    /** Waits until Redis holds a snapshot of {@code sid} that {@code condition} accepts. */
    private void awaitSnapshot(String sid, Predicate<JsonObject> condition, String failure) {
        NodesSupport.await(() -> {
            String value = cached(sid);
            return value != null && value.startsWith("{") && condition.test(JsonParser.parseString(value)
                    .getAsJsonObject());
        }, failure);
    }

    private static boolean subscribedTo(JsonObject snapshot, String identifier) {
        return snapshot.getAsJsonObject("subscriptions").has(identifier);
    }


    private static JsonObject data(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }

    private static void assertMessage(CableClient client, String identifier, String message) {
        JsonObject frame = client.receive();
        assertEquals(identifier, frame.get("identifier").getAsString(), frame.toString());
        assertEquals(JsonParser.parseString(message), frame.get("message"));
    }

    /** The calls since {@code from} other than Disconnects of sessions that are not {@code sids}. */
    private List<FakeRpcApp.RecordedCall> callsSince(int from, String... sids) {
        Set<String> own = Set.of(sids);
        return app.calls().subList(from, app.calls().size()).stream()
                .filter(call -> !call.method().equals("Disconnect") || own.contains(call.sid())).toList();
    }

    /** Closes the restored client and asserts the one Disconnect, under its new sid. */
    private void assertOneDisconnectWhenItEnds(CableClient restored, String oldSid, String newSid) {
        restored.close();
        app.awaitCall("Disconnect", call -> newSid.equals(call.sid()), NodesSupport.WAIT);
        assertEquals(List.of(newSid), disconnected(oldSid, newSid), "exactly one Disconnect");
    }

    private List<String> disconnected(String... sids) {
        Set<String> own = Set.of(sids);
        return app.calls("Disconnect").stream().map(FakeRpcApp.RecordedCall::sid).filter(own::contains).toList();
    }

    @Test
    void aClientWhoseNodeWasKilledIsRestoredOnAnotherNodeWithWhatItMissed() {
        String id = UUID.randomUUID().toString();
        String stream = "bench_" + id;
        String oldSid;
        String epoch;
        try (CableProcess nodeA = CableProcess.start(options("a"))) {
            CableClient first = CableClient.connect(nodeA.ws("/cable?test=uid&uid=" + id), EXT);
            oldSid = sidOf(first);
            first.subscribe(channel(id));
            NodesSupport.publish(nodeB, stream, 1);
            JsonObject frame = first.receive();
            epoch = frame.get("epoch").getAsString();
            NodesSupport.assertEntry(frame, channel(id), stream, epoch, 1);
            awaitSnapshot(oldSid, snapshot -> subscribedTo(snapshot, channel(id)),
                    "node A never wrote the live session's snapshot");
            nodeA.kill();
            first.close();
        }
        NodesSupport.publish(nodeB, stream, 2);
        NodesSupport.publish(nodeB, stream, 3);
        int callsBefore = app.calls().size();

        CableClient second = clients.client(nodeB, "?sid=" + oldSid, EXT);
        String newSid = restoredOn(second, oldSid, channel(id));
        second.send("{\"command\":\"history\",\"identifier\":" + Json.quote(channel(id)) + ",\"history\":{\"streams\":{"
                + Json.quote(stream) + ":{\"epoch\":" + Json.quote(epoch) + ",\"offset\":1}}}}");
        NodesSupport.assertEntry(second.receive(), channel(id), stream, epoch, 2);
        NodesSupport.assertEntry(second.receive(), channel(id), stream, epoch, 3);
        assertEquals("confirm_history", second.receive().get("type").getAsString());
        NodesSupport.publish(nodeB, stream, 4);
        NodesSupport.assertEntry(second.receive(), channel(id), stream, epoch, 4);
        assertEquals(List.of(), callsSince(callsBefore, oldSid, newSid), "no Connect, Subscribe or Disconnect");

        assertOneDisconnectWhenItEnds(second, oldSid, newSid);
    }

    @Test
    void aLiveSessionRestoredOnAnotherNodeIsClosedOnItsOldNodeWithoutADisconnect() {
        String id = UUID.randomUUID().toString();
        CableClient first = clients.client(nodeC, "?test=uid&uid=" + id, EXT);
        String oldSid = sidOf(first);
        first.subscribe(channel(id));
        awaitSnapshot(oldSid, snapshot -> subscribedTo(snapshot, channel(id)), "node C never wrote the snapshot");

        // The client is back through node B while node C still holds its (half-open) session.
        CableClient second = clients.client(nodeB, "?sid=" + oldSid, EXT);
        String newSid = restoredOn(second, oldSid, channel(id));
        long openOnC = nodeC.metric("clients_num");
        // A change on node C: its write finds the session restored elsewhere.
        first.subscribe(identifier("EmptyChannel"));
        assertEquals(1000, first.awaitClose(NodesSupport.WAIT).getCloseCode().getCode());
        nodeC.awaitMetric("clients_num", n -> n < openOnC, NodesSupport.WAIT);
        assertEquals("restored", cached(oldSid), "the marker was overwritten");

        // Node C's Disconnects go out in order: a later session's proves the taken-over one made none.
        CableClient control = clients.client(nodeC, "", EXT);
        String controlSid = sidOf(control);
        control.close();
        app.awaitCall("Disconnect", call -> controlSid.equals(call.sid()), NodesSupport.WAIT);
        assertEquals(List.of(), disconnected(oldSid), "a Disconnect for the taken-over session");

        assertOneDisconnectWhenItEnds(second, oldSid, newSid);
    }

    @Test
    void stateChangedByPerformsIsInTheSnapshotRestoredOnAnotherNode() {
        String id = UUID.randomUUID().toString();
        String state = identifier("StateChannel", "name", "ann");
        String cstate = identifier("CstateChannel");
        CableClient first = clients.client(nodeC, "?test=uid&uid=" + id, EXT);
        String oldSid = sidOf(first);
        first.subscribe(state);
        first.perform(state, data("{\"action\":\"tick\"}"));
        assertMessage(first, state, "{\"count\":3,\"name\":\"ann\"}");
        first.subscribe(cstate);
        first.perform(cstate, data("{\"action\":\"set\",\"key\":\"k\",\"value\":\"v\"}"));
        assertMessage(first, cstate, "{}");
        awaitSnapshot(oldSid, snapshot -> snapshot.getAsJsonObject("cstate").has("k"),
                "node C never wrote the cstate the perform set");
        JsonObject written = data(cached(oldSid));
        assertEquals("3", written.getAsJsonObject("subscriptions").getAsJsonObject(state).getAsJsonObject("istate")
                .get("count").getAsString(), written.toString());
        int callsBefore = app.calls().size();

        CableClient second = clients.client(nodeB, "?sid=" + oldSid, EXT);
        String newSid = restoredOn(second, oldSid, state, cstate);
        assertEquals(List.of(), callsSince(callsBefore, oldSid, newSid), "no Connect or Subscribe");
        second.perform(state, data("{\"action\":\"tick\"}"));
        assertMessage(second, state, "{\"count\":5,\"name\":\"ann\"}");
        second.perform(cstate, data("{\"action\":\"set\",\"key\":\"k2\",\"value\":\"v2\"}"));
        assertMessage(second, cstate, "{\"k\":\"v\"}");
    }

    @Test
    void aCleanCloseDeletesTheSnapshot() {
        String id = UUID.randomUUID().toString();
        CableClient client = clients.client(nodeC, "?test=uid&uid=" + id, EXT);
        String sid = sidOf(client);
        client.subscribe(channel(id));
        awaitSnapshot(sid, snapshot -> subscribedTo(snapshot, channel(id)), "node C never wrote the snapshot");
        client.close();
        app.awaitCall("Disconnect", call -> sid.equals(call.sid()), NodesSupport.WAIT);
        NodesSupport.await(() -> cached(sid) == null, "the snapshot outlived the clean close");
    }

    @Test
    void aGracefulShutdownDeletesTheSnapshotsBeforeTheClientsAreToldToGo() {
        String id = UUID.randomUUID().toString();
        CableServer nodeD = CableServer.start(options("d"));
        String oldSid;
        try {
            NodesSupport.awaitReady(nodeD);
            CableClient client = clients.client(nodeD, "?test=uid&uid=" + id, EXT);
            oldSid = sidOf(client);
            client.subscribe(channel(id));
            String sid = oldSid;
            awaitSnapshot(sid, snapshot -> subscribedTo(snapshot, channel(id)), "node D never wrote the snapshot");
            Thread stopping = Thread.ofVirtual().start(nodeD::close);
            assertEquals("server_restart", client.receive().get("reason").getAsString());
            assertNull(cached(oldSid), "the snapshot was still there when the client was told to reconnect");
            stopping.join(NodesSupport.WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            nodeD.close();
        }
        String gone = oldSid;
        CableClient again = clients.client(nodeB, "?sid=" + oldSid + "&test=uid&uid=" + id, EXT);
        JsonObject welcome = again.receive();
        assertEquals("welcome", welcome.get("type").getAsString(), welcome.toString());
        assertTrue(!welcome.has("restored"), "restored after its Disconnect: " + welcome);
        String newSid = welcome.get("sid").getAsString();
        app.awaitCall("Connect", call -> newSid.equals(call.sid()), NodesSupport.WAIT);
        app.awaitCall("Disconnect", call -> gone.equals(call.sid()), NodesSupport.WAIT);
        assertEquals(List.of(gone), disconnected(gone), "the shutdown's Disconnect, once");
    }

    /**
     * Two clients close cleanly on node D while D cannot reach Redis, so their snapshots stay there; one of them
     * is restored on node B meanwhile. Once D reaches Redis again it deletes the other's snapshot and makes its
     * Disconnect, and makes none for the restored one: each session gets exactly one, whatever the outage.
     */
    @Test
    void sessionsEndedWhileRedisIsUnreachableGetOneDisconnectEachOnceItIsBack() throws Exception {
        String id = UUID.randomUUID().toString();
        try (TcpProxy toRedis = TcpProxy.start("127.0.0.1", redis.port())) {
            Map<String, String> options = options("d");
            options.put("redis_url", "redis://127.0.0.1:" + toRedis.port());
            // Longer than the test: D must not give up waiting for Redis (the snapshots' lifetime) before it is back.
            options.put("sessions_ttl", "300");
            try (CableServer nodeD = CableServer.start(options)) {
                NodesSupport.awaitReady(nodeD);
                CableClient ending = clients.client(nodeD, "?test=uid&uid=" + id, EXT);
                String endingSid = sidOf(ending);
                CableClient restoring = clients.client(nodeD, "?test=uid&uid=" + id, EXT);
                String oldSid = sidOf(restoring);
                restoring.subscribe(channel(id));
                awaitSnapshot(endingSid, snapshot -> true, "node D never wrote the first snapshot");
                awaitSnapshot(oldSid, snapshot -> subscribedTo(snapshot, channel(id)),
                        "node D never wrote the second snapshot");

                toRedis.retarget("127.0.0.1", closedPort());
                toRedis.cutAll();
                ending.close();
                restoring.close();
                CableClient restored = clients.client(nodeB, "?sid=" + oldSid, EXT);
                String newSid = restoredOn(restored, oldSid, channel(id));
                assertTrue(cached(endingSid).startsWith("{"), "the ended session's snapshot is gone already");

                toRedis.retarget("127.0.0.1", redis.port());
                app.awaitCall("Disconnect", call -> endingSid.equals(call.sid()), NodesSupport.WAIT);
                NodesSupport.await(() -> cached(endingSid) == null, "node D never deleted the ended snapshot");
                assertEquals(List.of(endingSid), disconnected(endingSid), "exactly one Disconnect");
                assertOneDisconnectWhenItEnds(restored, oldSid, newSid);
            }
        }
    }

    /** A local port nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
