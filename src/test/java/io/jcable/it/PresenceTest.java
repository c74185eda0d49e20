package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.protocol.Json;
import io.jcable.protocol.PresenceJoin;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.RedisServer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Whispers and presence on one node with the memory broker (docs/protocol.md §6.5, §6.6), over real sockets and
 * the fake application's {@code PresenceChannel} ({@code $w} and {@code $p} = the stream the identifier names).
 * The class's server keeps presence 60 s after a disconnect, so a linger is observable; the expiry runs on a server
 * of its own with a 1 s TTL. Events travel through the pub/sub, so an absence is checked with a marker published
 * through the pub/sub after the action that must make no event: the pub/sub delivers in publish order, and each
 * socket's frames keep theirs.
 */
class PresenceTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final CableClient.Options EXT = CableClient.Options.defaults()
            .withSubprotocols("actioncable-v1-ext-json").ignoring("ping");

    @Override
    protected void configure(Map<String, String> options) {
        options.put("presence_ttl", "60");
        options.put("sessions_ttl", "60");
    }

    private CableClient ext(CableServer on, String query) {
        CableClient client = track(CableClient.connect(on.ws("/cable" + query), EXT));
        assertEquals("welcome", client.receive().get("type").getAsString());
        return client;
    }

    private CableClient ext() {
        return ext(server, "");
    }

    private static String room(String stream) {
        return identifier("PresenceChannel", "stream", stream);
    }

    private static String newStream() {
        return "room_" + UUID.randomUUID();
    }

    private static String command(String command, String identifier, String rest) {
        return "{\"command\":\"" + command + "\",\"identifier\":" + Json.quote(identifier) + rest + "}";
    }

    private static String join(String identifier, String id, String info) {
        return command("join", identifier, ",\"presence\":{\"id\":" + Json.quote(id) + ",\"info\":" + info + "}");
    }

    static String joinEvent(String identifier, String id, String info) {
        return "{\"type\":\"presence\",\"identifier\":" + Json.quote(identifier) + ",\"message\":{\"type\":\"join\","
                + "\"id\":" + Json.quote(id) + ",\"info\":" + info + "}}";
    }

    static String leaveEvent(String identifier, String id) {
        return "{\"type\":\"presence\",\"identifier\":" + Json.quote(identifier) + ",\"message\":{\"type\":\"leave\","
                + "\"id\":" + Json.quote(id) + "}}";
    }

    private static String presence(String identifier, String message) {
        return "{\"type\":\"presence\",\"identifier\":" + Json.quote(identifier) + ",\"message\":" + message + "}";
    }

    /** Asks for the info and returns the frame that comes next (it must be the answer). */
    static String info(CableClient client, String identifier) {
        client.send(command("presence", identifier, ""));
        return client.receiveRaw();
    }

    private void assertMarkerIsNextViaPubSub(CableClient client, Marker marker) {
        NodesSupport.assertMarkerIsNext(server, client, marker.stream(), marker.identifier());
    }

    @Test
    void aWhisperReachesTheOtherSubscribersOnlyAndIsNeverStored() {
        String stream = newStream();
        String identifier = room(stream);
        CableClient sender = ext();
        CableClient b = ext();
        CableClient c = ext();
        for (CableClient client : new CableClient[] {sender, b, c}) {
            client.subscribe(identifier);
        }
        Marker marker = followMarker(sender);
        NodesSupport.post(server, NodesSupport.publication(stream, "{\"n\":1}"));
        for (CableClient client : new CableClient[] {sender, b, c}) {
            assertEquals(1, client.receive().get("offset").getAsLong());
        }

        sender.send(command("whisper", identifier, ",\"data\":{\"event\":\"typing\",\"who\":\"a\"}"));
        String expected = "{\"identifier\":" + Json.quote(identifier)
                + ",\"message\":{\"event\":\"typing\",\"who\":\"a\"}}";
        assertEquals(expected, b.receiveRaw());
        assertEquals(expected, c.receiveRaw());
        assertMarkerIsNextViaPubSub(sender, marker);

        // Not stored: the next publication takes offset 2, and the history holds exactly the two publications.
        NodesSupport.post(server, NodesSupport.publication(stream, "{\"n\":2}"));
        JsonObject second = b.receive();
        assertEquals(2, second.get("offset").getAsLong());
        String epoch = second.get("epoch").getAsString();
        CableClient late = ext();
        late.send(command("subscribe", identifier, ",\"history\":{\"streams\":{" + Json.quote(stream)
                + ":{\"offset\":0,\"epoch\":\"" + epoch + "\"}}}"));
        assertEquals("confirm_subscription", late.receive().get("type").getAsString());
        for (int n = 1; n <= 2; n++) {
            JsonObject entry = late.receive();
            assertEquals(n, entry.get("offset").getAsLong(), entry.toString());
            assertEquals(JsonParser.parseString("{\"n\":" + n + "}"), entry.get("message"));
        }
        assertEquals("{\"type\":\"confirm_history\",\"identifier\":" + Json.quote(identifier) + "}",
                late.receiveRaw());
    }

    @Test
    void aWhisperWithoutWhisperStateOrSubscriptionIsIgnoredAndTheSessionKept() {
        String stream = "plain_" + UUID.randomUUID();
        String identifier = identifier("NamedStreamChannel", "stream", stream);
        CableClient sender = ext();
        CableClient other = ext();
        sender.subscribe(identifier);
        other.subscribe(identifier);
        Marker senderMarker = followMarker(sender);
        Marker otherMarker = followMarker(other);
        long failedBefore = server.metric("failed_client_msg_total");
        sender.send(command("whisper", identifier, ",\"data\":{\"event\":\"typing\"}"));
        sender.send(command("whisper", room("never_subscribed"), ",\"data\":\"x\""));
        server.awaitMetric("failed_client_msg_total", n -> n >= failedBefore + 2, WAIT);
        assertMarkerIsNextViaPubSub(other, otherMarker);
        assertMarkerIsNextViaPubSub(sender, senderMarker);
    }

    @Test
    void twoSessionsOfOneIdMakeOneJoinAndTheLeaveComesWithTheLastOne() {
        String identifier = room(newStream());
        CableClient observer = ext();
        CableClient first = ext();
        CableClient second = ext();
        for (CableClient client : new CableClient[] {observer, first, second}) {
            client.subscribe(identifier);
        }
        Marker marker = followMarker(observer);
        first.send(join(identifier, "42", "{\"name\":\"Jack\"}"));
        for (CableClient client : new CableClient[] {observer, first, second}) {
            assertEquals(joinEvent(identifier, "42", "{\"name\":\"Jack\"}"), client.receiveRaw());
        }

        second.send(join(identifier, "42", "{\"name\":\"Jack\"}"));
        // The second session's info answer comes after its join was done (and any event of it published).
        assertEquals(presence(identifier, "{\"type\":\"info\",\"total\":1,\"records\":[{\"id\":\"42\","
                + "\"info\":{\"name\":\"Jack\"}}]}"), info(second, identifier));
        assertMarkerIsNextViaPubSub(observer, marker);

        first.send(command("leave", identifier, ""));
        assertEquals(presence(identifier, "{\"type\":\"info\",\"total\":1}"),
                infoWithoutRecords(first, identifier));
        assertMarkerIsNextViaPubSub(observer, marker);

        second.unsubscribe(identifier);
        assertEquals(leaveEvent(identifier, "42"), observer.receiveRaw());
        assertEquals(presence(identifier, "{\"type\":\"info\",\"total\":0,\"records\":[]}"),
                info(observer, identifier));
    }

    private static String infoWithoutRecords(CableClient client, String identifier) {
        client.send(command("presence", identifier, ",\"data\":{\"return_records\":false}"));
        return client.receiveRaw();
    }

    @Test
    void aSubscribeMayJoinAfterItsConfirmation() {
        String identifier = room(newStream());
        CableClient observer = ext();
        observer.subscribe(identifier);
        CableClient joining = ext();
        joining.send(command("subscribe", identifier, ",\"presence\":{\"id\":\"7\",\"info\":\"Anna\"}"));
        assertEquals("confirm_subscription", joining.receive().get("type").getAsString());
        assertEquals(joinEvent(identifier, "7", "\"Anna\""), joining.receiveRaw());
        assertEquals(joinEvent(identifier, "7", "\"Anna\""), observer.receiveRaw());
    }

    @Test
    void theApplicationJoinsAndLeavesOnTheUsersBehalf() {
        String identifier = room(newStream());
        CableClient observer = ext();
        observer.subscribe(identifier);
        CableClient user = client("", CableClient.Options.defaults().ignoring("ping"));
        assertEquals("welcome", user.receive().get("type").getAsString());
        user.subscribe(identifier);
        JsonObject joinData = new JsonObject();
        joinData.addProperty("action", "join");
        joinData.addProperty("id", "app-1");
        joinData.add("info", JsonParser.parseString("{\"role\":\"admin\"}"));
        user.perform(identifier, joinData);
        assertEquals(joinEvent(identifier, "app-1", "{\"role\":\"admin\"}"), observer.receiveRaw());
        JsonObject leaveData = new JsonObject();
        leaveData.addProperty("action", "leave");
        leaveData.addProperty("id", "app-1");
        user.perform(identifier, leaveData);
        assertEquals(leaveEvent(identifier, "app-1"), observer.receiveRaw());
    }

    @Test
    void aClosedSessionLingersAndARestoreWithinTheTtlTakesItOverWithoutEvents() {
        String identifier = room(newStream());
        CableClient observer = ext();
        observer.subscribe(identifier);
        Marker marker = followMarker(observer);
        CableClient lost = track(CableClient.connect(server.ws("/cable"), EXT));
        String oldSid = lost.receive().get("sid").getAsString();
        lost.subscribe(identifier);
        lost.send(join(identifier, "9", "{}"));
        assertEquals(joinEvent(identifier, "9", "{}"), observer.receiveRaw());
        long before = server.metric("clients_num");
        lost.abort();
        server.awaitMetric("clients_num", n -> n < before, WAIT);
        assertEquals(presence(identifier, "{\"type\":\"info\",\"total\":1}"), infoWithoutRecords(observer, identifier));

        CableClient restored = track(CableClient.connect(server.ws("/cable?sid=" + oldSid), EXT));
        assertTrue(restored.receive().get("restored").getAsBoolean());
        // The restore, and any event of it, was done before the welcome.
        assertMarkerIsNextViaPubSub(observer, marker);
        assertEquals(presence(identifier, "{\"type\":\"info\",\"total\":1,\"records\":[{\"id\":\"9\",\"info\":{}}]}"),
                info(observer, identifier));
        // The new session holds the record alone: its unsubscribe is the last leave.
        restored.unsubscribe(identifier);
        assertEquals(leaveEvent(identifier, "9"), observer.receiveRaw());
    }

    @Test
    void aClosedSessionLeavesWhenItsTtlIsOver() {
        try (CableServer shortTtl = startOwn(Map.of("presence_ttl", "1"))) {
            String identifier = room(newStream());
            CableClient observer = ext(shortTtl, "");
            observer.subscribe(identifier);
            CableClient leaving = ext(shortTtl, "");
            leaving.subscribe(identifier);
            leaving.send(join(identifier, "5", "null"));
            assertEquals(joinEvent(identifier, "5", "null"), observer.receiveRaw());
            leaving.close();
            assertEquals(leaveEvent(identifier, "5"), observer.receive(WAIT).toString());
        }
    }

    @Test
    void badPresenceInputIsAnsweredOrIgnoredAndTheSessionKept() {
        String identifier = room(newStream());
        CableClient observer = ext();
        observer.subscribe(identifier);
        CableClient client = ext();
        client.subscribe(identifier);
        String error = presence(identifier, "{\"type\":\"error\"}");
        client.send(join(identifier, "big", "\"" + "x".repeat(PresenceJoin.MAX_INFO_BYTES) + "\""));
        assertEquals(error, client.receiveRaw());
        client.send(command("join", identifier, ",\"presence\":{\"info\":{}}"));
        assertEquals(error, client.receiveRaw());
        client.send(command("join", identifier, ",\"presence\":{\"id\":42}"));
        assertEquals(error, client.receiveRaw());
        client.send(command("leave", identifier, ""));
        // Joins on a channel without $p and on an unknown subscription: ignored.
        String plain = identifier("NamedStreamChannel", "stream", "plain_" + UUID.randomUUID());
        client.subscribe(plain);
        client.send(join(plain, "1", "{}"));
        client.send(join(room("never_subscribed"), "1", "{}"));
        client.send(command("presence", plain, ""));
        assertEquals(presence(plain, "{\"type\":\"error\",\"total\":0}"), client.receiveRaw());

        // Many joins from one session: one record, the last one; each id change is a leave and a join.
        int joins = 300;
        for (int n = 0; n < joins; n++) {
            client.send(join(identifier, "id" + n, "{\"n\":" + n + "}"));
        }
        String last = joinEvent(identifier, "id" + (joins - 1), "{\"n\":" + (joins - 1) + "}");
        int events = 1;
        while (!client.receiveRaw().equals(last)) {
            events++;
        }
        assertEquals(2 * joins - 1, events);
        assertEquals(presence(identifier, "{\"type\":\"info\",\"total\":1,\"records\":[{\"id\":\"id299\","
                + "\"info\":{\"n\":299}}]}"), info(client, identifier));
        // The same id again replaces the info without an event.
        Marker marker = followMarker(client);
        client.send(join(identifier, "id299", "{\"n\":\"again\"}"));
        assertEquals(presence(identifier, "{\"type\":\"info\",\"total\":1,\"records\":[{\"id\":\"id299\","
                + "\"info\":{\"n\":\"again\"}}]}"), info(client, identifier));
        assertMarkerIsNextViaPubSub(client, marker);
        assertEquals(joinEvent(identifier, "id0", "{\"n\":0}"), observer.receiveRaw());
    }

    @Test
    void withoutABrokerPresenceCommandsAreAnsweredWithTheErrorFrame() {
        try (CableServer noBroker = startOwn(Map.of("broker", "none"))) {
            String identifier = room(newStream());
            CableClient client = ext(noBroker, "");
            client.subscribe(identifier);
            client.send(join(identifier, "1", "{}"));
            assertEquals(presence(identifier, "{\"type\":\"error\"}"), client.receiveRaw());
            assertEquals(presence(identifier, "{\"type\":\"error\",\"total\":0}"), info(client, identifier));
        }
    }

    @Test
    void withRedisDownPresenceCommandsAreAnsweredWithTheErrorFrameAndTheSessionKept() {
        RedisServer doomed = RedisServer.start();
        try (CableServer redisBroker = startOwn(Map.of("broker", "redis", "redis_url", doomed.url(),
                "broadcast_adapter", "http", "pubsub", "none"))) {
            String identifier = room(newStream());
            CableClient client = ext(redisBroker, "");
            client.subscribe(identifier);
            client.send(join(identifier, "1", "{}"));
            assertEquals(joinEvent(identifier, "1", "{}"), client.receiveRaw());
            doomed.close();
            assertEquals(presence(identifier, "{\"type\":\"error\",\"total\":0}"), info(client, identifier));
            client.send(command("leave", identifier, ""));
            assertEquals(presence(identifier, "{\"type\":\"error\"}"), client.receiveRaw());
            client.send("{\"command\":\"ping\"}");
            assertEquals("{\"type\":\"pong\"}", client.receiveRaw());
        } finally {
            doomed.close();
        }
    }
}
