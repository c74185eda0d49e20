package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.testing.CableServer;
import io.jcable.testing.Signing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official {@code @anycable/web} client ({@code src/test/js/anycable-web-standalone.mjs}) in standalone mode:
 * {@code createCable} with a JWT (in the URL, or as its {@code anycable-token} sub-protocol entry) gets the
 * server's welcome without any Connect, {@code cable.streamFromSigned} is confirmed without any Command, a
 * broadcast arrives, and in mode {@code auto} the session's end makes no Disconnect call. An expired token makes
 * the client close for good with {@code token_expired}.
 *
 * <p>Needs {@code node} and {@code npm ci --prefix src/test/js}; fails (never skips) otherwise.
 */
class AnycableWebStandaloneTest extends CableTestSupport {
    private static final String SCRIPT = "anycable-web-standalone.mjs";
    private static final List<String> PACKAGES = List.of("@anycable/web", "@anycable/core", "ws");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);
    private static final String SECRET = "standalone-js-secret";
    private static final String IDS = "{\"current_user\":\"gid://app/User/7\"}";

    private static Map<String, String> env() {
        return Map.of("ANYCABLE_CLIENT_TIMEOUT_MS", Long.toString(CLIENT_TIMEOUT.toMillis()));
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @ParameterizedTest
    @ValueSource(strings = {"url", "sub-protocol"})
    void jwtAndASignedStreamNeedNoRpc(String auth) throws Exception {
        String stream = "notifications/" + UUID.randomUUID();
        String text = "hello " + stream;
        try (CableServer own = startOwn(Map.of("secret", SECRET))) {
            NodeClient client = NodeClient.start("@anycable/web standalone client (" + auth + ")", SCRIPT, PACKAGES,
                    CLIENT_TIMEOUT, env(), own.ws("/cable").toString(), auth,
                    Signing.anycableJwt(SECRET, IDS, now() + 3600), Signing.signedStream(SECRET, stream), text);
            int exitCode;
            try (client) {
                client.awaitLine("SUBSCRIBED");
                String body = "{\"stream\":\"" + stream + "\",\"data\":\"{\\\"text\\\":\\\"" + text + "\\\"}\"}";
                assertEquals(201, own.postBroadcast("/_broadcast", body).statusCode());
                client.awaitLine("DONE");
                exitCode = client.awaitExit();
            }
            String transcript = client.transcript();
            System.out.println("@anycable/web standalone client output (" + auth + "):\n" + transcript);
            assertEquals(0, exitCode, "node exit code; output:\n" + transcript);
            client.assertNoFailure();
            String sid = client.valueAfter("WELCOME sid=");
            assertTrue(sid.length() == 21, "the server-made sid; output:\n" + transcript);
            client.assertInOrder("CONNECT reconnect=false restored=false", "WELCOME sid=" + sid,
                    "PROTOCOL actioncable-v1-json", "SUBSCRIBED", "BROADCAST ok {\"text\":\"" + text + "\"}",
                    "DONE close=");

            own.awaitMetric("clients_num", clients -> clients == 0, CLIENT_TIMEOUT);
            own.stop(); // drains the Disconnect queue: whatever was queued has been called now
            assertEquals(List.of(), callsFrom(own), "calls to the application");
        }
    }

    @Test
    void expiredTokenClosesTheClientForGood() throws Exception {
        try (CableServer own = startOwn(Map.of("secret", SECRET))) {
            NodeClient client = NodeClient.start("@anycable/web standalone client (expired)", SCRIPT, PACKAGES,
                    CLIENT_TIMEOUT, env(), own.ws("/cable").toString(), "expired",
                    Signing.anycableJwt(SECRET, IDS, now() - 60));
            int exitCode;
            try (client) {
                client.awaitLine("CLOSED");
                exitCode = client.awaitExit();
            }
            assertEquals(0, exitCode, "node exit code; output:\n" + client.transcript());
            assertEquals("reason=token_expired sockets=1", client.valueAfter("CLOSED "),
                    "the client closed for good, without reconnecting");
            assertEquals(1, own.metric("failed_auths_total"));
        }
    }
}
