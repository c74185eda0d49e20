package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.jcable.protocol.Json;
import io.jcable.testing.CableClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The memory broker through real sockets (docs/protocol.md §6.3): positions on the data frames of extended
 * sessions (and none for v1-json ones), history by offset and by time, refusals, and a replay racing live
 * broadcasts. Each test uses a stream of its own ({@code bench_<id>} of BenchmarkChannel, whose other stream
 * {@code all} gets no publication here).
 */
class HistoryTest extends CableTestSupport {
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final int HISTORY_LIMIT = 50;

    @Override
    protected void configure(Map<String, String> options) {
        options.put("history_limit", String.valueOf(HISTORY_LIMIT));
    }

    private CableClient ext() {
        CableClient client = client("", CableClient.Options.defaults()
                .withSubprotocols("actioncable-v1-ext-json").ignoring("ping"));
        assertEquals("welcome", client.receive().get("type").getAsString());
        return client;
    }

    private CableClient v1() {
        CableClient client = client("", CableClient.Options.defaults().ignoring("ping"));
        assertEquals("welcome", client.receive().get("type").getAsString());
        return client;
    }

    /** A stream of this test's own, and the identifier of a BenchmarkChannel subscription to it. */
    private static String channel(String id) {
        return identifier("BenchmarkChannel", "id", id);
    }

    private void publish(String stream, int n) {
        String payload = "{\"stream\":" + Json.quote(stream) + ",\"data\":" + Json.quote("{\"n\":" + n + "}") + "}";
        assertEquals(201, server.postBroadcast("/_broadcast", payload).statusCode());
    }

    private static String historyCommand(String command, String identifier, String history) {
        return "{\"command\":\"" + command + "\",\"identifier\":" + Json.quote(identifier) + ",\"history\":" + history
                + "}";
    }

    private static void assertEntry(JsonObject frame, String identifier, String stream, String epoch, long offset) {
        assertEquals("{\"identifier\":" + Json.quote(identifier) + ",\"message\":{\"n\":" + offset
                + "},\"stream_id\":" + Json.quote(stream) + ",\"epoch\":" + Json.quote(epoch) + ",\"offset\":"
                + offset + "}", frame.toString());
    }

    /** Subscribes a fresh extended client, publishes one message, and returns the epoch it came with. */
    private String epochOf(String id) {
        CableClient c = ext();
        c.subscribe(channel(id));
        publish("bench_" + id, 1);
        JsonObject frame = c.receive();
        assertEquals(1, frame.get("offset").getAsLong());
        return frame.get("epoch").getAsString();
    }

    @Test
    void extendedSessionsGetPositionsAndV1SessionsTheFramesOfBefore() {
        String id = UUID.randomUUID().toString();
        String identifier = channel(id);
        CableClient ext = ext();
        CableClient v1 = v1();
        ext.subscribe(identifier);
        v1.subscribe(identifier);
        publish("bench_" + id, 1);
        publish("bench_" + id, 2);
        JsonObject first = ext.receive();
        String epoch = first.get("epoch").getAsString();
        assertEquals(4, epoch.length());
        assertEntry(first, identifier, "bench_" + id, epoch, 1);
        assertEntry(ext.receive(), identifier, "bench_" + id, epoch, 2);
        assertEquals("{\"identifier\":" + Json.quote(identifier) + ",\"message\":{\"n\":1}}", v1.receiveRaw());
        assertEquals("{\"identifier\":" + Json.quote(identifier) + ",\"message\":{\"n\":2}}", v1.receiveRaw());
        // A transient publication has no position and takes no offset.
        assertEquals(201, server.postBroadcast("/_broadcast", "{\"stream\":\"bench_" + id
                + "\",\"data\":\"{}\",\"meta\":{\"transient\":true}}").statusCode());
        publish("bench_" + id, 3);
        assertEquals("{\"identifier\":" + Json.quote(identifier) + ",\"message\":{}}", ext.receiveRaw());
        assertEntry(ext.receive(), identifier, "bench_" + id, epoch, 3);
    }

    @Test
    void subscribeWithAnOffsetGetsTheConfirmationThenWhatWasMissedThenConfirmHistory() {
        String id = UUID.randomUUID().toString();
        String epoch = epochOf(id);
        for (int n = 2; n <= 4; n++) {
            publish("bench_" + id, n);
        }
        CableClient c = ext();
        c.send(historyCommand("subscribe", channel(id),
                "{\"streams\":{\"bench_" + id + "\":{\"offset\":1,\"epoch\":\"" + epoch + "\"}}}"));
        assertEquals("confirm_subscription", c.receive().get("type").getAsString());
        for (int n = 2; n <= 4; n++) {
            assertEntry(c.receive(), channel(id), "bench_" + id, epoch, n);
        }
        assertEquals("{\"type\":\"confirm_history\",\"identifier\":" + Json.quote(channel(id)) + "}", c.receiveRaw());
        publish("bench_" + id, 5);
        assertEntry(c.receive(), channel(id), "bench_" + id, epoch, 5);
    }

    @Test
    void historyCommandBySinceReturnsTheRetainedEntriesAndAFutureSinceNone() {
        String id = UUID.randomUUID().toString();
        String epoch = epochOf(id);
        publish("bench_" + id, 2);
        CableClient c = ext();
        c.subscribe(channel(id));
        long since = System.currentTimeMillis() / 1000 - 60;
        c.send(historyCommand("history", channel(id), "{\"since\":" + since + "}"));
        assertEntry(c.receive(), channel(id), "bench_" + id, epoch, 1);
        assertEntry(c.receive(), channel(id), "bench_" + id, epoch, 2);
        assertEquals("confirm_history", c.receive().get("type").getAsString());
        c.send(historyCommand("history", channel(id), "{\"since\":" + (since + 3600) + "}"));
        assertEquals("confirm_history", c.receive().get("type").getAsString());
        c.expectNothing(QUIET);
    }

    @Test
    void aWrongEpochAnEvictedOrFutureOffsetAndBadNumbersAreRejectedAndTheSessionKept() {
        String id = UUID.randomUUID().toString();
        String epoch = epochOf(id);
        for (int n = 2; n <= HISTORY_LIMIT + 5; n++) {
            publish("bench_" + id, n);
        }
        CableClient c = ext();
        c.subscribe(channel(id));
        String stream = "\"bench_" + id + "\"";
        String reject = "{\"type\":\"reject_history\",\"identifier\":" + Json.quote(channel(id)) + "}";
        for (String history : List.of(
                "{\"streams\":{" + stream + ":{\"offset\":1,\"epoch\":\"" + epoch + "x\"}}}",
                "{\"streams\":{" + stream + ":{\"offset\":1,\"epoch\":\"" + epoch + "\"}}}",
                "{\"streams\":{" + stream + ":{\"offset\":" + (HISTORY_LIMIT + 6) + ",\"epoch\":\"" + epoch + "\"}}}",
                "{\"streams\":{" + stream + ":{\"offset\":-1,\"epoch\":\"" + epoch + "\"}}}",
                "{\"streams\":{" + stream + ":{\"offset\":1e3,\"epoch\":\"" + epoch + "\"}}}",
                "{\"streams\":{" + stream + ":{\"offset\":99999999999999999999999,\"epoch\":\"" + epoch + "\"}}}",
                "{\"streams\":{" + stream + ":{\"offset\":\"5\",\"epoch\":\"" + epoch + "\"}}}",
                "{\"since\":-5}")) {
            c.send(historyCommand("history", channel(id), history));
            assertEquals(reject, c.receiveRaw(), history);
        }
        // The oldest retained entry is 6: offset 5 is the last one that can still be served in full.
        c.send(historyCommand("history", channel(id),
                "{\"streams\":{" + stream + ":{\"offset\":" + HISTORY_LIMIT + ",\"epoch\":\"" + epoch + "\"}}}"));
        for (int n = HISTORY_LIMIT + 1; n <= HISTORY_LIMIT + 5; n++) {
            assertEntry(c.receive(), channel(id), "bench_" + id, epoch, n);
        }
        assertEquals("confirm_history", c.receive().get("type").getAsString());
        c.send("{\"command\":\"ping\"}");
        assertEquals("pong", c.receive().get("type").getAsString());
        assertTrue(c.isOpen());
    }

    @Test
    void historyOfAV1SessionIsUnsupportedAndOfAnUnknownSubscriptionIgnored() {
        String id = UUID.randomUUID().toString();
        CableClient v1 = v1();
        v1.subscribe(channel(id));
        v1.send(historyCommand("history", channel(id), "{\"since\":1}"));
        CableClient ext = ext();
        ext.send(historyCommand("history", channel(id), "{\"since\":1}"));
        v1.send("{\"command\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", v1.receiveRaw());
        ext.send("{\"command\":\"ping\"}");
        assertEquals("{\"type\":\"pong\"}", ext.receiveRaw());
    }

    @Test
    void aReplayRacingLiveBroadcastsDeliversEveryOffsetOnceAndInOrder() throws Exception {
        String id = UUID.randomUUID().toString();
        String epoch = epochOf(id);
        int total = 40;
        for (int n = 2; n <= total / 2; n++) {
            publish("bench_" + id, n);
        }
        CableClient c = ext();
        CompletableFuture<Void> live = CompletableFuture.runAsync(() -> {
            for (int n = total / 2 + 1; n <= total; n++) {
                publish("bench_" + id, n);
            }
        });
        c.send(historyCommand("subscribe", channel(id),
                "{\"streams\":{\"bench_" + id + "\":{\"offset\":0,\"epoch\":\"" + epoch + "\"}}}"));
        assertEquals("confirm_subscription", c.receive().get("type").getAsString());
        live.get();
        List<Long> offsets = new ArrayList<>();
        boolean confirmed = false;
        while (offsets.size() < total || !confirmed) {
            JsonObject frame = c.receive();
            if (frame.has("type")) {
                assertEquals("confirm_history", frame.get("type").getAsString());
                assertFalse(confirmed);
                confirmed = true;
            } else {
                assertEntry(frame, channel(id), "bench_" + id, epoch, offsets.size() + 1);
                offsets.add(frame.get("offset").getAsLong());
            }
        }
        c.expectNothing(QUIET);
        assertEquals(total, offsets.size());
    }
}
