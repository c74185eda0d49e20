package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official {@code @anycable/web} npm client ({@code createCable} with {@code ws} as its WebSocket, see
 * {@code src/test/js/anycable-web-client.mjs}), run by Node against the embedded jcable with each sub-protocol it
 * speaks without a broker: connect event, the negotiated sub-protocol, two confirmed subscriptions, a perform
 * answered by the app, a Redis broadcast, server pings accepted by the client's monitor, a clean disconnect. In
 * {@code actioncable-v1-ext-json} mode the client also sends {@code history} in its subscribe frames (ignored: no
 * broker) and {@code {"command":"pong"}} after every ping (accepted, never counted as a failed message).
 *
 * <p>Needs {@code node} on the PATH and {@code npm ci --prefix src/test/js} run beforehand; fails (never skips)
 * otherwise.
 */
class AnycableWebClientTest extends CableTestSupport {
    private static final String SCRIPT = "anycable-web-client.mjs";
    private static final List<String> PACKAGES = List.of("@anycable/web", "@anycable/core", "ws");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);
    private static final int PING_INTERVAL_SECONDS = 1;
    private static final Pattern DONE = Pattern.compile("close=(\\d+) sent=(\\d+) pongs=(\\d+)");

    @Override
    protected void configure(Map<String, String> options) {
        // pings every second so the client sees a few of them in a short test (the default is 3 s)
        options.put("ping_interval", Integer.toString(PING_INTERVAL_SECONDS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"actioncable-v1-json", "actioncable-v1-ext-json"})
    void anycableWebClientConnectsSubscribesPerformsAndReceivesABroadcast(String protocol) throws Exception {
        boolean ext = protocol.equals("actioncable-v1-ext-json");
        String suffix = UUID.randomUUID().toString();
        String echoText = "echo-" + suffix;
        String broadcastText = "broadcast-" + suffix;
        assertEquals(0, server.metric("failed_client_msg_total"), "failed client messages before the client runs");
        long clientMessagesBefore = server.metric("client_msg_total");

        Map<String, String> env = Map.of(
                "ANYCABLE_CLIENT_TIMEOUT_MS", Long.toString(CLIENT_TIMEOUT.toMillis()),
                "PINGS", "2",
                // the client's stale monitor with the server's interval, as a deployment configures it
                "PING_INTERVAL_MS", Integer.toString(PING_INTERVAL_SECONDS * 1000));
        NodeClient client = NodeClient.start("@anycable/web client (" + protocol + ")", SCRIPT, PACKAGES,
                CLIENT_TIMEOUT, env, server.ws("/cable").toString(), protocol, echoText, broadcastText);
        int exitCode;
        try (client) {
            // the script prints SUBSCRIBED once both subscriptions are confirmed and the echo came back
            client.awaitLine("SUBSCRIBED");
            JsonObject data = new JsonObject();
            data.addProperty("text", broadcastText);
            broadcast("a", data.toString());
            client.awaitLine("DONE");
            exitCode = client.awaitExit();
        }
        String transcript = client.transcript();
        System.out.println("@anycable/web client output (" + protocol + "):\n" + transcript);
        assertEquals(0, exitCode, "node exit code; output:\n" + transcript);

        // client side: each step in order, as the client's events reported it
        String sid = client.valueAfter("WELCOME sid=");
        assertTrue(!sid.isEmpty() && !sid.equals("-"), "welcome must carry the sid; output:\n" + transcript);
        // the two channel confirmations may come in either order
        for (String channel : List.of("PerformChannel", "StreamChannel")) {
            client.assertInOrder("CONNECT reconnect=false restored=false", "WELCOME sid=" + sid, "PROTOCOL " + protocol,
                    "CONNECTED " + channel, "CONFIRMED");
        }
        client.assertInOrder("CONFIRMED", ext ? "HISTORY {\"since\":" : "HISTORY none",
                "ECHO ok {\"response\":\"" + echoText + "\"}", "SUBSCRIBED",
                "BROADCAST ok {\"text\":\"" + broadcastText + "\"}", "PING ok 1", "PING ok 2", "PINGS ok", "DONE close=");
        if (ext) {
            client.assertInOrder("BROADCAST ok", "PING ok 1", "PONG sent", "PING ok", "PINGS ok");
        }
        client.assertNoFailure();
        Matcher done = DONE.matcher(client.valueAfter("DONE "));
        assertTrue(done.matches(), "DONE line; output:\n" + transcript);
        // disconnect() closes without a status code (1005 on both sides), which jcable answers in kind: a 1011
        // (server error) or 1006 (connection dropped) would mean the close went wrong
        assertEquals("1005", done.group(1), "close code; output:\n" + transcript);
        long framesSent = Long.parseLong(done.group(2));
        long pongsSent = Long.parseLong(done.group(3));
        if (ext) {
            assertTrue(pongsSent >= 1, "the ext client must answer pings with pongs; output:\n" + transcript);
        } else {
            assertEquals(0, pongsSent, "no pongs in " + protocol);
        }

        JsClientCalls.assertOneSession(app, server, sid, echoText);
        // nothing else: two subscribes and the perform, no unsubscribe, no retried subscribe
        assertEquals(3, app.calls("Command").size(), "Commands: " + app.calls("Command"));

        // every frame the client wrote (subscribes with history, the perform, the pongs) reached jcable, and
        // none of them counted as a failed message; the Disconnect above comes after the socket's last frame
        assertEquals(clientMessagesBefore + framesSent, server.metric("client_msg_total"),
                "client frames counted by jcable vs frames the client sent (" + pongsSent + " pongs)");
        assertEquals(0, server.metric("failed_client_msg_total"), "failed client messages; output:\n" + transcript);
    }
}
