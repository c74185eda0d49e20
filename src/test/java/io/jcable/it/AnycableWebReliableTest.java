package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.protocol.Json;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp.RecordedCall;
import io.jcable.testing.TcpProxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Reliable streams end to end with the official {@code @anycable/web} client (extended protocol, its own
 * reconnect strategy; {@code src/test/js/anycable-web-reliable.mjs}) connected through a {@link TcpProxy}: a few
 * broadcasts arrive, the proxy resets the connection (no close frame either way) and holds the client's
 * reconnect attempts, more broadcasts are published while the client is away, then the proxy lets it through.
 * With the session kept, the client is restored (no second Connect) and asks history by offset; without
 * ({@code ANYCABLE_SESSIONS_TTL=0}) it connects anew and resubscribes with history. Either way its channel sees
 * every message exactly once and in order, the missed ones and then live ones published right after it is back.
 *
 * <p>Once more with two nodes on the Redis broker: the proxy points to the second node after the cut, and the
 * client is restored there with the messages it missed (published through the first node).
 */
class AnycableWebReliableTest extends CableTestSupport {
    private static final String SCRIPT = "anycable-web-reliable.mjs";
    private static final List<String> PACKAGES = List.of("@anycable/web", "@anycable/core", "ws");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final CableClient.Options CONTROL = CableClient.Options.defaults().ignoring("ping");
    /** Broadcasts before the cut, while the client is away, and once it is back. */
    private static final int BEFORE = 3;
    private static final int MISSED = 5;
    private static final int LIVE = 4;
    private static final int TOTAL = BEFORE + MISSED + LIVE;
    private static final Pattern MESSAGE = Pattern.compile("MESSAGE (\\d+) offset=(\\d+) epoch=(\\S+)");

    @Test
    void aRestoredClientGetsWhatItMissedOnceAndInOrderWithoutASecondConnect() throws Exception {
        NodeClient client = loseAndComeBack(server, server, true);
        String history = client.valueAfter("SENT ");
        JsonObject request = JsonParser.parseString(history).getAsJsonObject();
        assertEquals("history", request.get("command").getAsString(), history);
    }

    @Test
    void aClientWhoseSessionIsGoneConnectsAnewAndResubscribesWithHistory() throws Exception {
        try (CableServer noSessions = startOwn(Map.of("sessions_ttl", "0"))) {
            NodeClient client = loseAndComeBack(noSessions, noSessions, false);
            String history = client.valueAfter("SENT ");
            JsonObject request = JsonParser.parseString(history).getAsJsonObject();
            assertEquals("subscribe", request.get("command").getAsString(), history);
        }
    }

    @Test
    void aClientThatComesBackOnAnotherNodeIsRestoredThereWithWhatItMissed() throws Exception {
        try (CableServer nodeA = startOwn(redisBrokerNode("a")); CableServer nodeB = startOwn(redisBrokerNode("b"))) {
            NodesSupport.awaitReady(nodeA);
            NodesSupport.awaitReady(nodeB);
            loseAndComeBack(nodeA, nodeB, true);
        }
    }

    /** A node of a cluster that shares the Redis broker and the Redis pub/sub. */
    private static Map<String, String> redisBrokerNode(String nodeId) {
        return Map.of("node_id", nodeId, "broker", "redis", "pubsub", "redis", "broadcast_adapter", "http");
    }

    /**
     * The whole story, from the client's first connection to {@code before} until it has every message; returns
     * the finished client for checks of its own. The proxy points to {@code after} once the connection is cut.
     *
     * @param restorable whether {@code after} is expected to restore the session (else a Connect and a
     *                   resubscribe with history)
     */
    private NodeClient loseAndComeBack(CableServer before, CableServer after, boolean restorable) throws Exception {
        String stream = "reliable_" + UUID.randomUUID();
        CableClient control = track(CableClient.connect(before.ws("/cable"), CONTROL));
        control.receive();
        control.subscribe(identifier("NamedStreamChannel", "stream", stream));
        try (TcpProxy proxy = TcpProxy.start("127.0.0.1", before.port())) {
            NodeClient client = NodeClient.start("@anycable/web reliable client", SCRIPT, PACKAGES, CLIENT_TIMEOUT,
                    Map.of("ANYCABLE_CLIENT_TIMEOUT_MS", Long.toString(CLIENT_TIMEOUT.toMillis())),
                    "ws://127.0.0.1:" + proxy.port() + "/cable", stream, Integer.toString(TOTAL));
            try (client) {
                client.awaitLine("SUBSCRIBED");
                String firstSid = client.valueAfter("CONNECT reconnect=false restored=false sid=");
                publish(before, stream, control, 1, BEFORE);
                client.awaitLine("MESSAGE " + BEFORE + " ");

                // the network goes: the client's attempts to come back wait at the proxy
                proxy.pause();
                long sessions = before.metric("clients_num");
                assertEquals(1, proxy.cutAll(), "live connections through the proxy");
                client.awaitLine("DISCONNECTED");
                before.awaitMetric("clients_num", n -> n < sessions, WAIT);
                publish(before, stream, control, BEFORE + 1, BEFORE + MISSED);
                assertTrue(proxy.awaitHeld(1, WAIT), "the client did not try to reconnect");
                int connects = app.calls("Connect").size();
                int subscribes = subscribes(stream);

                proxy.retarget("127.0.0.1", after.port());
                proxy.resume();
                client.awaitLine("CONNECT reconnect=true restored=" + restorable);
                // live broadcasts right away: they may reach the server before the client's history request
                publish(after, stream, control, BEFORE + MISSED + 1, TOTAL);
                client.awaitLine("DONE");
                assertEquals(0, client.awaitExit(), "node exit code; output:\n" + client.transcript());

                String transcript = client.transcript();
                System.out.println("@anycable/web reliable client output:\n" + transcript);
                assertEquals(IntStream.rangeClosed(1, TOTAL).boxed().toList().toString().replace(" ", ""),
                        client.valueAfter("RECEIVED "), "messages in the order the channel got them:\n" + transcript);
                assertOffsetsFollowEachOther(client.transcript());
                client.assertInOrder("CONNECT reconnect=false", "SUBSCRIBED", "MESSAGE " + BEFORE + " ",
                        "DISCONNECTED", "CONNECT reconnect=true restored=" + restorable, "HISTORY history_received",
                        "RECEIVED", "DONE");
                client.assertInOrder("DISCONNECTED", "SENT ", "HISTORY history_received");
                client.assertNoFailure();
                // the request asked from the last offset the client had before the cut
                JsonObject request = JsonParser.parseString(client.valueAfter("SENT ")).getAsJsonObject();
                assertEquals(BEFORE, request.getAsJsonObject("history").getAsJsonObject("streams")
                        .getAsJsonObject(stream).get("offset").getAsLong(), request.toString());

                List<RecordedCall> newConnects = app.calls("Connect").subList(connects, app.calls("Connect").size());
                if (restorable) {
                    assertEquals(List.of(), newConnects, "a restored session makes no Connect");
                    assertEquals(subscribes, subscribes(stream), "a restored session makes no subscribe");
                    assertNotEquals(firstSid, client.valueAfter("CONNECT reconnect=true restored=true sid="));
                } else {
                    assertEquals(1, newConnects.size(), "Connects after the cut: " + newConnects);
                    assertEquals(subscribes + 1, subscribes(stream), "the client resubscribes once");
                }
                assertEquals(2, proxy.forwarded(), "connections through the proxy: the first and the one back");
            }
            return client;
        }
    }

    /** Publishes {"n":from} … {"n":to} through {@code node} and waits until the control client got them all. */
    private static void publish(CableServer node, String stream, CableClient control, int from, int to) {
        for (int n = from; n <= to; n++) {
            assertEquals(201, node.postBroadcast("/_broadcast",
                    "{\"stream\":" + Json.quote(stream) + ",\"data\":\"{\\\"n\\\":" + n + "}\"}").statusCode());
        }
        for (int n = from; n <= to; n++) {
            JsonObject frame = control.receive(WAIT);
            assertEquals(n, frame.getAsJsonObject("message").get("n").getAsInt(), frame.toString());
        }
    }

    private int subscribes(String stream) {
        return (int) app.calls("Command").stream()
                .map(call -> call.request(CommandMessage.class))
                .filter(command -> command.getCommand().equals("subscribe") && command.getIdentifier().contains(stream))
                .count();
    }

    /** Each message's offset is the one after the previous message's, all under one epoch. */
    private static void assertOffsetsFollowEachOther(String transcript) {
        Matcher message = MESSAGE.matcher(transcript);
        long expected = 1;
        String epoch = null;
        while (message.find()) {
            assertEquals(expected++, Long.parseLong(message.group(2)), "offset of message " + message.group(1));
            if (epoch == null) {
                epoch = message.group(3);
            }
            assertEquals(epoch, message.group(3), "epoch of message " + message.group(1));
        }
        assertEquals(TOTAL + 1, expected, "messages with offsets:\n" + transcript);
    }
}
