package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jcable.protocol.Json;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Session restore with the memory cache (docs/protocol.md §6.2), {@code ANYCABLE_SESSIONS_TTL=2}: within the TTL
 * the session comes back without any RPC call and with its streams; after it the client connects anew; forged
 * sids connect anew; the restored session gets exactly one Disconnect, under its new sid, when it finally ends.
 */
class SessionRestoreTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final CableClient.Options EXT = CableClient.Options.defaults()
            .withSubprotocols("actioncable-v1-ext-json").ignoring("ping");

    @Override
    protected void configure(Map<String, String> options) {
        options.put("sessions_ttl", "2");
    }

    private static String channel(String id) {
        return identifier("BenchmarkChannel", "id", id);
    }

    /** Drops the client's TCP connection (a network blip) and waits until the server has let the session go. */
    private void lose(CableClient client) {
        long before = server.metric("clients_num");
        client.abort();
        server.awaitMetric("clients_num", n -> n < before, WAIT);
    }

    private void publish(String stream, String data) {
        assertEquals(201, server.postBroadcast("/_broadcast",
                "{\"stream\":" + Json.quote(stream) + ",\"data\":" + Json.quote(data) + "}").statusCode());
    }

    @Test
    void aSessionLostWithinTheTtlIsRestoredWithoutRpcAndEndsWithOneDisconnect() {
        String id = UUID.randomUUID().toString();
        CableClient first = client("?test=uid&uid=" + id, EXT);
        String oldSid = first.receive().get("sid").getAsString();
        first.subscribe(channel(id));
        lose(first);
        int callsBefore = app.calls().size();

        CableClient second = client("?sid=" + oldSid, EXT);
        JsonObject restored = second.receive();
        String newSid = restored.get("sid").getAsString();
        assertNotEquals(oldSid, newSid);
        JsonArray ids = new JsonArray();
        ids.add(channel(id));
        JsonObject expected = new JsonObject();
        expected.addProperty("type", "welcome");
        expected.addProperty("sid", newSid);
        expected.addProperty("restored", true);
        expected.add("restored_ids", ids);
        assertEquals(expected, restored);
        publish("bench_" + id, "{\"n\":1}");
        // this client asks no history: the live frame comes once the restore's wait for it ends
        JsonObject frame = second.receive(WAIT);
        assertEquals(channel(id), frame.get("identifier").getAsString());
        assertEquals("{\"n\":1}", frame.get("message").toString());
        // no Connect, no Subscribe, and no Disconnect for the lost session (earlier tests' clients may still
        // be making theirs)
        assertEquals(List.of(), app.calls().subList(callsBefore, app.calls().size()).stream()
                .filter(call -> !call.method().equals("Disconnect") || oldSid.equals(call.sid())).toList());

        lose(second);
        DisconnectRequest disconnect = app.awaitCall("Disconnect", call -> newSid.equals(call.sid()), WAIT)
                .request(DisconnectRequest.class);
        assertEquals(List.of(channel(id)), disconnect.getSubscriptionsList());
        assertEquals("{\"uid\":\"" + id + "\"}", disconnect.getIdentifiers());
        assertFalse(app.calls("Disconnect").stream().anyMatch(call -> oldSid.equals(call.sid())),
                "the lost session must not get a Disconnect of its own");
    }

    /**
     * A broadcast that reaches the node between the restored welcome and the client's history request (which the
     * client can only send once it has the welcome) waits for that request: the client gets what it missed, then
     * the new one, each once and in order. Without the wait, the live frame went first and the replay dropped
     * every entry at or below its offset: the missed ones were lost.
     */
    @Test
    void aBroadcastBeforeTheRestoredClientsHistoryRequestComesAfterTheMissedOnes() {
        String id = UUID.randomUUID().toString();
        String stream = "bench_" + id;
        CableClient control = client("", CableClient.Options.defaults().ignoring("ping"));
        control.receive();
        control.subscribe(identifier("NamedStreamChannel", "stream", stream));
        CableClient first = client("?test=uid&uid=" + id, EXT);
        String oldSid = first.receive().get("sid").getAsString();
        first.subscribe(channel(id));
        publishNumbered(stream, control, 1);
        JsonObject seen = first.receive();
        assertEquals(1, seen.get("offset").getAsLong(), seen.toString());
        String epoch = seen.get("epoch").getAsString();
        lose(first);
        publishNumbered(stream, control, 2);
        publishNumbered(stream, control, 3);

        CableClient second = client("?sid=" + oldSid, EXT);
        assertTrue(second.receive().get("restored").getAsBoolean());
        // the control client has it: the node has handled this broadcast before the history request is sent
        publishNumbered(stream, control, 4);
        second.send("{\"command\":\"history\",\"identifier\":" + Json.quote(channel(id))
                + ",\"history\":{\"streams\":{" + Json.quote(stream) + ":{\"epoch\":" + Json.quote(epoch)
                + ",\"offset\":1}}}}");
        for (int n = 2; n <= 4; n++) {
            JsonObject frame = second.receive(WAIT);
            assertEquals("{\"n\":" + n + "}", String.valueOf(frame.get("message")), frame.toString());
            assertEquals(n, frame.get("offset").getAsLong(), frame.toString());
        }
        assertEquals("confirm_history", second.receive(WAIT).get("type").getAsString());
        publishNumbered(stream, control, 5);
        JsonObject live = second.receive(WAIT);
        assertEquals(5, live.get("offset").getAsLong(), "the next frame must be the next live one: " + live);
    }

    /** Publishes {"n":n} to {@code stream} and waits until {@code control} has it. */
    private void publishNumbered(String stream, CableClient control, int n) {
        publish(stream, "{\"n\":" + n + "}");
        assertEquals("{\"n\":" + n + "}", control.receive(WAIT).get("message").toString());
    }

    @Test
    void afterTheTtlTheClientConnectsAnewAndTheLostSessionGotItsDisconnect() {
        CableClient first = client("", EXT);
        String oldSid = first.receive().get("sid").getAsString();
        lose(first);
        app.awaitCall("Disconnect", call -> oldSid.equals(call.sid()), WAIT);

        CableClient second = client("", EXT.withHeader("X-AnyCable-Restore-Sid", oldSid));
        JsonObject welcome = second.receive();
        assertFalse(welcome.has("restored"), welcome.toString());
        String newSid = welcome.get("sid").getAsString();
        app.awaitCall("Connect", call -> newSid.equals(call.sid()), WAIT);
    }

    @Test
    void forgedSidsAV1SessionAndACleanCloseConnectAnew() {
        CableClient kept = client("", EXT);
        String sid = kept.receive().get("sid").getAsString();
        kept.close();
        app.awaitCall("Disconnect", call -> sid.equals(call.sid()), WAIT);
        for (String query : List.of("?sid=" + sid, "?sid=" + "a".repeat(5000), "?sid=..%2F%0A%22x",
                "?sid=" + UUID.randomUUID())) {
            CableClient c = client(query, EXT);
            JsonObject welcome = c.receive();
            assertFalse(welcome.has("restored"), query + ": " + welcome);
            String newSid = welcome.get("sid").getAsString();
            app.awaitCall("Connect", call -> newSid.equals(call.sid()), WAIT);
        }
        CableClient lost = client("", EXT);
        String lostSid = lost.receive().get("sid").getAsString();
        lose(lost);
        CableClient v1 = client("?sid=" + lostSid, CableClient.Options.defaults().ignoring("ping"));
        JsonObject welcome = v1.receive();
        assertFalse(welcome.has("restored"), welcome.toString());
        assertTrue(v1.isOpen());
    }
}
