package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import io.jcable.testing.CableClient;
import io.jcable.testing.NonReadingClient;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How sessions start and end, and the traffic counters. */
class SessionLifecycleTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void bytesReceivedAndFailedWritesAreCounted() throws IOException {
        CableClient c = client("", CableClient.Options.defaults().ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
        long received = server.metric("data_rcvd_total");
        String ping = "{\"command\":\"ping\"}";
        c.send(ping);
        assertEquals(data("{\"type\":\"pong\"}"), c.receive());
        server.awaitMetric("data_rcvd_total", value -> value == received + ping.length(), WAIT);

        String id = identifier("StreamChannel");
        CableClient reader = client("");
        reader.subscribe(id);
        long failed = server.metric("failed_server_msg_total");
        try (NonReadingClient stuck = NonReadingClient.connect(server.ws("/cable"))) {
            JsonObject subscribe = new JsonObject();
            subscribe.addProperty("command", "subscribe");
            subscribe.addProperty("identifier", id);
            stuck.sendText(subscribe.toString());
            stuck.awaitText(text -> text.contains("confirm_subscription"));
            // More than the socket buffers take: the write to the stuck client stays in progress.
            broadcast("a", "{\"pad\":\"" + "z".repeat(6_000_000) + "\"}");
            broadcast("a", "{\"after\":1}");
            reader.receive();
            assertEquals(data(message(id, "{\"after\":1}")), reader.receive());
        }
        // The stuck client went away with the write unfinished.
        server.awaitMetric("failed_server_msg_total", value -> value > failed, WAIT);
    }
}
