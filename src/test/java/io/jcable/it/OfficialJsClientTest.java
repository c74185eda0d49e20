package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The official {@code @rails/actioncable} npm client, run by Node with {@code ws} as its WebSocket (see
 * {@code src/test/js}), against the embedded jcable: welcome, two subscriptions, a perform answered by the app, a
 * Redis broadcast, server pings accepted by the client's stale-connection monitor, a clean disconnect.
 *
 * <p>Needs {@code node} on the PATH and {@code npm ci --prefix src/test/js} run beforehand; fails (never skips)
 * otherwise.
 */
class OfficialJsClientTest extends CableTestSupport {
    private static final String SCRIPT = "actioncable-client.mjs";
    private static final List<String> PACKAGES = List.of("@rails/actioncable", "ws");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

    @Override
    protected void configure(Map<String, String> options) {
        // pings every second so the client sees a few of them in a short test (the default is 3 s)
        options.put("ping_interval", "1");
    }

    @Test
    void officialClientConnectsSubscribesPerformsAndReceivesABroadcast() throws Exception {
        String suffix = UUID.randomUUID().toString();
        String echoText = "echo-" + suffix;
        String broadcastText = "broadcast-" + suffix;

        Map<String, String> env = Map.of("ACTIONCABLE_CLIENT_TIMEOUT_MS", Long.toString(CLIENT_TIMEOUT.toMillis()),
                "PINGS", "2");
        NodeClient client = NodeClient.start("official @rails/actioncable client", SCRIPT, PACKAGES, CLIENT_TIMEOUT, env,
                server.ws("/cable").toString(), echoText, broadcastText);
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
        System.out.println("official @rails/actioncable client output:\n" + transcript);
        assertEquals(0, exitCode, "node exit code; output:\n" + transcript);

        // client side: each step in order, as the official client saw it
        String sid = client.valueAfter("WELCOME sid=");
        assertTrue(!sid.isEmpty() && !sid.equals("-"), "welcome must carry the sid; output:\n" + transcript);
        // the two confirmations may come in either order; PROTOCOL is printed once both connected callbacks fired
        client.assertInOrder("WELCOME sid=" + sid, "CONNECTED PerformChannel", "PROTOCOL actioncable-v1-json");
        client.assertInOrder("WELCOME sid=" + sid, "CONNECTED StreamChannel", "PROTOCOL actioncable-v1-json", "ECHO ok {\"response\":\"" + echoText + "\"}", "SUBSCRIBED",
                "BROADCAST ok {\"text\":\"" + broadcastText + "\"}", "PING ok 1", "PING ok 2", "PINGS ok", "DONE close=");
        client.assertNoFailure();
        // disconnect() closes without a status code (1005 on both sides), which jcable answers in kind: a 1011
        // (server error) or 1006 (connection dropped) would mean the close went wrong
        assertEquals("1005", client.valueAfter("DONE close="), "close code; output:\n" + transcript);

        JsClientCalls.assertOneSession(app, server, sid, echoText);
    }
}
