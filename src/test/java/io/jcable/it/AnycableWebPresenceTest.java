package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Whispers and presence with the official {@code @anycable/web} client ({@code src/test/js/anycable-web-presence.mjs}):
 * two clients of the extended protocol on one public {@code $pubsub} stream; one joins, whispers and leaves, the
 * other sees the join, reads the presence state, gets the whisper and sees the leave. The client logs a warning
 * (and the script fails) on any frame it does not understand.
 *
 * <p>Needs {@code node} and {@code npm ci --prefix src/test/js}; fails (never skips) otherwise.
 */
class AnycableWebPresenceTest extends CableTestSupport {
    private static final String SCRIPT = "anycable-web-presence.mjs";
    private static final List<String> PACKAGES = List.of("@anycable/web", "@anycable/core", "ws");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

    @Override
    protected void configure(Map<String, String> options) {
        options.put("public_streams", "true");
    }

    @Test
    void theOfficialClientJoinsWhispersReadsAndLeaves() throws Exception {
        String stream = "room/" + UUID.randomUUID();
        NodeClient client = NodeClient.start("@anycable/web presence clients", SCRIPT, PACKAGES, CLIENT_TIMEOUT,
                Map.of("ANYCABLE_CLIENT_TIMEOUT_MS", Long.toString(CLIENT_TIMEOUT.toMillis())),
                server.ws("/cable").toString(), stream);
        int exitCode;
        try (client) {
            client.awaitLine("DONE");
            exitCode = client.awaitExit();
        }
        String transcript = client.transcript();
        assertEquals(0, exitCode, "node exit code; output:\n" + transcript);
        client.assertNoFailure();
        client.assertInOrder("SUBSCRIBED", "JOIN id=ann-1 info={\"name\":\"Ann\"}",
                "INFO {\"ann-1\":{\"name\":\"Ann\"}}",
                "WHISPER {\"event\":\"typing\",\"who\":\"Ann\"}", "LEAVE id=ann-1", "DONE");
        assertEquals(0, server.metric("failed_client_msg_total"), "every frame the clients sent was understood");
    }
}
