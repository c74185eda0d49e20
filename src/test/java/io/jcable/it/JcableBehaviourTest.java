package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.jcable.protocol.ServerFrames;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** jcable's own checks (docs/conformance.md §5, docs/protocol.md §9) and the core edge cases of docs/protocol.md §4. */
class JcableBehaviourTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** ANYCABLE_MAX_MESSAGE_SIZE's default, which this class's server keeps. */
    private static final int MAX_MESSAGE_SIZE = 65_536;

    @Test
    void disconnectTrueSendsTransmissionsThenClosesWith1000() {
        String id = identifier("DisconnectorChannel");
        CableClient c = client("");
        c.subscribe(id);
        c.perform(id, data("{\"action\":\"bye\"}"));
        assertEquals(data(message(id, "\"bye\"")), c.receive());
        assertEquals(1000, c.awaitClose(WAIT).getCloseCode().getCode());
        app.awaitCall("Disconnect", call -> call.request(DisconnectRequest.class).getSubscriptionsList().contains(id),
                WAIT);
    }

    @Test
    void textThatIsNotJsonClosesWith1007() {
        CableClient c = client("", CableClient.Options.defaults().ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
        c.send("not json");
        assertEquals(1007, c.awaitClose(WAIT).getCloseCode().getCode());
    }

    @Test
    void binaryFrameClosesWith1003() {
        CableClient c = client("", CableClient.Options.defaults().ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
        c.sendBinary(new byte[] {1, 2, 3});
        assertEquals(1003, c.awaitClose(WAIT).getCloseCode().getCode());
    }

    @Test
    void messagesUpToTheSizeLimitAreTakenInOneFrameOrFragmented() {
        CableClient c = client("", CableClient.Options.defaults().ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
        String head = "{\"command\":\"ping\",\"pad\":\"";
        // exactly the 65,536-byte limit, in one frame ("é" is two bytes in UTF-8)
        c.send(head + "é".repeat(10) + "a".repeat(MAX_MESSAGE_SIZE - head.length() - 20 - 2) + "\"}");
        assertEquals(data(ServerFrames.PONG), c.receive());
        // 60,000 bytes in six frames
        String pad = "a".repeat(12_000);
        c.sendFragmented(head, pad, pad, pad, pad, pad.substring(head.length()) + "\"}");
        assertEquals(data(ServerFrames.PONG), c.receive());
        assertTrue(c.isOpen());
    }

    @Test
    void fragmentedMessageOverTheSizeLimitClosesWith1009() {
        CableClient c = client("");
        c.subscribe(identifier("EmptyChannel"));
        String pad = "a".repeat(20_000);
        c.sendFragmented("{\"command\":\"ping\",\"pad\":\"", pad, pad, pad, pad + "\"}");
        assertEquals(1009, c.awaitClose(WAIT).getCloseCode().getCode());
    }

    @Test
    void frameOverTheSizeLimitClosesWith1009() {
        CableClient c = client("");
        c.subscribe(identifier("EmptyChannel"));
        c.send("{\"command\":\"message\",\"identifier\":\"x\",\"data\":\"" + "a".repeat(70_000) + "\"}");
        assertEquals(1009, c.awaitClose(WAIT).getCloseCode().getCode());
    }

    @Test
    void subscribeAnsweredWithErrorIsRejectedNotLeftHanging() {
        String id = identifier("ErrorChannel");
        CableClient c = client("");
        c.sendSubscribe(id);
        assertEquals(data(reject(id)), c.receive());
        c.subscribe(identifier("EmptyChannel"));
    }

    @Test
    void unknownOrInvalidCommandsAreIgnoredAndTheConnectionKept() {
        String id = identifier("PerformChannel");
        CableClient c = client("");
        c.subscribe(id);
        long failedBefore = server.metric("failed_client_msg_total");
        c.send("{\"command\":\"dance\"}");
        c.send("{\"foo\":\"bar\"}");
        c.send("{\"command\":\"message\",\"identifier\":" + quote(id) + ",\"data\":{\"action\":\"tick\"}}");
        c.send("{\"command\":\"message\",\"identifier\":" + quote(identifier("Unknown")) + ",\"data\":\"{}\"}");
        c.send("{\"command\":\"unsubscribe\",\"identifier\":" + quote(identifier("Unknown")) + "}");
        c.perform(id, data("{\"action\":\"tick\"}"));
        assertEquals(data(message(id, "\"tock\"")), c.receive());
        assertEquals(failedBefore + 5, server.metric("failed_client_msg_total"));
        assertEquals(0, app.calls("Command").stream()
                .filter(call -> call.request(CommandMessage.class).getCommand().equals("unsubscribe")).count());
    }

    @Test
    void pingCommandIsAnsweredAndPongCommandIsAccepted() {
        CableClient c = client("", CableClient.Options.defaults().withSubprotocols("actioncable-v1-ext-json"));
        c.subscribe(identifier("EmptyChannel"));
        long failedBefore = server.metric("failed_client_msg_total");
        c.send("{\"command\":\"pong\"}");
        c.send("{\"command\":\"ping\"}");
        assertEquals(data("{\"type\":\"pong\"}"), c.receive());
        assertEquals(failedBefore, server.metric("failed_client_msg_total"));
    }

    @Test
    void appThatNeverAnswersCostsTheCallBudgetNotAHang() {
        FakeRpcApp.Gate gate = app.hold("Command");
        long timeouts = server.metric("rpc_timeout_total");
        try {
            CableClient c = client("");
            String id = identifier("EmptyChannel", "hung", 1);
            c.sendSubscribe(id);
            gate.awaitBlocked(1, WAIT);
            // rpc_command_timeout is 3000 ms: the attempt's deadline expires and the client is told.
            assertEquals(data(reject(id)), c.receive(Duration.ofSeconds(10)));
            assertEquals(timeouts + 1, server.metric("rpc_timeout_total"));
        } finally {
            gate.release();
        }
    }

    @Test
    void duplicateSubscribeIsIgnoredWithoutRpcOrFrame() {
        String id = identifier("EmptyChannel", "dup", 1);
        CableClient c = client("");
        c.subscribe(id);
        c.sendSubscribe(id);
        // Commands run in arrival order: an answer to the duplicate would have come before this confirmation.
        c.subscribe(identifier("EmptyChannel", "dup", 2));
        assertEquals(1, app.calls("Command").stream()
                .filter(call -> call.request(CommandMessage.class).getIdentifier().equals(id)).count());
    }

    @Test
    void unsubscribeHasNoReply() {
        String id = identifier("EmptyChannel");
        CableClient c = client("");
        c.subscribe(id);
        c.unsubscribe(id);
        // Commands run in arrival order: a reply to the unsubscribe would have come before the pong.
        c.send("{\"command\":\"ping\"}");
        assertEquals(data(ServerFrames.PONG), c.receive());
        assertEquals(List.of(id), app.calls("Command").stream().map(call -> call.request(CommandMessage.class))
                .filter(command -> command.getCommand().equals("unsubscribe")).map(CommandMessage::getIdentifier)
                .toList());
    }

    @Test
    void connectionStateDiffsAreMergedAndSentBack() {
        String id = identifier("CstateChannel");
        CableClient c = client("");
        c.subscribe(id);
        c.perform(id, data("{\"action\":\"set\",\"key\":\"a\",\"value\":\"1\"}"));
        c.receive();
        c.perform(id, data("{\"action\":\"set\",\"key\":\"b\",\"value\":\"2\"}"));
        assertEquals(data(message(id, "{\"a\":\"1\"}")), c.receive());
        c.perform(id, data("{\"action\":\"set\",\"key\":\"a\",\"value\":\"\"}"));
        assertEquals(data(message(id, "{\"a\":\"1\",\"b\":\"2\"}")), c.receive());
        c.perform(id, data("{\"action\":\"set\",\"key\":\"c\",\"value\":\"3\"}"));
        assertEquals(data(message(id, "{\"b\":\"2\"}")), c.receive());
    }

    @Test
    void everyCallCarriesProtovAndSidAndEnvHasForwardedHeadersAndRemoteAddr() {
        CableClient c = client("?x=1", CableClient.Options.defaults()
                .withHeader("cookie", "a=b").withHeader("x-api-token", "t").withHeader("x-secret", "no"));
        String id = identifier("StateChannel", "name", "n");
        c.subscribe(id);
        c.close();
        FakeRpcApp.RecordedCall disconnect = app.awaitCall("Disconnect",
                call -> call.request(DisconnectRequest.class).getEnv().getUrl().endsWith("?x=1"), WAIT);
        FakeRpcApp.RecordedCall connect = app.calls("Connect").getLast();
        FakeRpcApp.RecordedCall command = app.calls("Command").getLast();
        for (FakeRpcApp.RecordedCall call : List.of(connect, command, disconnect)) {
            assertEquals("v1", call.protov(), call.method());
            assertEquals(connect.sid(), call.sid(), call.method());
        }
        assertEquals(21, connect.sid().length());
        assertEquals(Map.of("cookie", "a=b", "x-api-token", "t", "REMOTE_ADDR", "127.0.0.1"),
                connect.request(ConnectionRequest.class).getEnv().getHeadersMap());
        DisconnectRequest request = disconnect.request(DisconnectRequest.class);
        assertEquals("{}", request.getIdentifiers());
        assertEquals(List.of(id), request.getSubscriptionsList());
        assertEquals(Map.of(id, "{\"count\":\"1\",\"user\":\"{\\\"name\\\":\\\"n\\\"}\"}"), request.getEnv().getIstateMap());
        assertTrue(request.getEnv().getUrl().endsWith("/cable?x=1"));
    }

    @Test
    void requestIdHeaderDoesNotBecomeTheSid() {
        client("?n=request-id", CableClient.Options.defaults().withHeader("X-Request-ID", "abc"))
                .subscribe(identifier("EmptyChannel"));
        String sid = app.awaitCall("Connect", call -> call.request(ConnectionRequest.class).getEnv().getUrl()
                .endsWith("?n=request-id"), WAIT).sid();
        // A generated one (21 characters), not the header's value and not left empty.
        assertEquals(21, sid.length(), sid);
    }

    @Test
    void remoteDisconnectClosesEverySessionWithThoseIdentifiers() {
        CableClient first = client("?test=uid&uid=77");
        CableClient second = client("?test=uid&uid=77");
        CableClient other = client("?test=uid&uid=78");
        for (CableClient c : List.of(first, second, other)) {
            c.subscribe(identifier("EmptyChannel"));
        }
        redis.publish("__anycable__",
                "{\"command\":\"disconnect\",\"payload\":{\"identifier\":\"{\\\"uid\\\":\\\"77\\\"}\"}}");
        for (CableClient c : List.of(first, second)) {
            assertEquals(data("{\"type\":\"disconnect\",\"reason\":\"remote\",\"reconnect\":false}"), c.receive());
            assertEquals(1000, c.awaitClose(WAIT).getCloseCode().getCode());
        }
        // The command wrote its frames in one pass: a disconnect frame for this socket would come before the pong.
        other.send("{\"command\":\"ping\"}");
        assertEquals(data(ServerFrames.PONG), other.receive());
        assertTrue(other.isOpen());
        app.awaitCall("Disconnect", call -> disconnectsOf("77") == 2, WAIT);
    }

    @Test
    void broadcastToOthersSkipsTheSender() {
        String id = identifier("StreamChannel");
        CableClient sender = client("");
        CableClient c2 = client("");
        CableClient c3 = client("");
        for (CableClient c : List.of(sender, c2, c3)) {
            c.subscribe(id);
        }
        Marker marker = followMarker(sender);
        sender.perform(id, data("{\"action\":\"speak\",\"content\":\"The Other Side\"}"));
        assertEquals(data(message(id, "{\"content\":\"The Other Side\"}")), c2.receive());
        assertEquals(data(message(id, "{\"content\":\"The Other Side\"}")), c3.receive());
        // The app published through Redis before c2 got it: the marker, published after, is the sender's next frame.
        assertMarkerIsNext(sender, marker);
    }

    @Test
    void subprotocolNegotiationFollowsServerOrderAndAcceptsUnknownOrNone() {
        record Case(List<String> offered, String expected) {
        }
        for (Case each : List.of(new Case(List.of("actioncable-v1-json"), "actioncable-v1-json"),
                new Case(List.of("actioncable-v1-ext-json"), "actioncable-v1-ext-json"),
                new Case(List.of("actioncable-v1-ext-json", "actioncable-v1-json"), "actioncable-v1-json"),
                new Case(List.of("foo"), ""), new Case(List.of(), ""))) {
            CableClient c = client("", CableClient.Options.defaults()
                    .withSubprotocols(each.offered().toArray(String[]::new)).ignoring("ping"));
            assertEquals(each.expected(), c.subprotocol(), each.offered().toString());
            assertFalse(c.responseHeader("X-AnyCable-Version").isEmpty());
            assertFrame("{\"type\":\"welcome\"}", c.receive());
        }
    }

    @Test
    void resourceExhaustedIsRetried() {
        long before = server.metric("rpc_retries_total");
        app.failNext("Connect", io.grpc.Status.Code.RESOURCE_EXHAUSTED, 2);
        CableClient c = client("", CableClient.Options.defaults().ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
        assertEquals(before + 2, server.metric("rpc_retries_total"));
    }

    @Test
    void rpcConcurrencyIsCappedAt28() {
        FakeRpcApp.Gate gate = app.hold("Connect");
        app.resetMaxInFlight();
        List<CableClient> many = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                many.add(client(""));
            }
            gate.awaitBlocked(28, WAIT);
            // The last sockets may still be on their way to the semaphore when the 28th call arrives.
            server.awaitMetric("rpc_pending_num", pending -> pending == 72, WAIT);
            assertEquals(28, app.maxInFlight());
        } finally {
            gate.release();
        }
        app.awaitCallCount("Connect", 100, Duration.ofSeconds(20));
        assertEquals(28, app.maxInFlight());
        many.forEach(CableClient::close);
        app.awaitCallCount("Disconnect", 100, Duration.ofSeconds(20));
    }

    @Test
    void grpcListSpreadsCallsOverEveryListedApp() {
        try (FakeRpcApp second = FakeRpcApp.start(payload -> redis.publish("__anycable__", payload))) {
            String hosts = "grpc-list://" + app.target() + "," + second.target();
            try (CableServer own = startOwn(Map.of("rpc_host", hosts))) {
                // Round robin picks among the connections that are ready: both are, after the first calls.
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (app.calls("Connect").isEmpty() || second.calls("Connect").isEmpty()) {
                    assertTrue(System.nanoTime() < deadline, "calls reached only one app: " + app.calls("Connect").size()
                            + " and " + second.calls("Connect").size());
                    CableClient c = track(CableClient.connect(own.ws("/cable"), CableClient.Options.defaults().ignoring("ping")));
                    assertFrame("{\"type\":\"welcome\"}", c.receive());
                    c.close();
                }
                second.stop();
                // The other app takes every call once the stopped one's connection is gone.
                for (int i = 0; i < 3; i++) {
                    CableClient c = track(CableClient.connect(own.ws("/cable"), CableClient.Options.defaults().ignoring("ping")));
                    assertFrame("{\"type\":\"welcome\"}", c.receive());
                }
            }
        }
    }

    @Test
    void exactlyOneDisconnectPerSuccessfulConnectHoweverTheSocketEnds() {
        FakeRpcApp.Gate gate = app.hold("Connect");
        CableClient closedEarly = client("?n=early");
        CableClient abortedEarly = client("?n=aborted");
        CableClient rejected = client("?test=reasons&reason=unauthorized&n=rejected");
        CableClient failed = client("?test=error&n=failed");
        gate.awaitBlocked(4, WAIT);
        closedEarly.close();
        abortedEarly.abort();
        gate.release();
        assertEquals(1000, rejected.awaitClose(WAIT).getCloseCode().getCode());
        assertEquals(1011, failed.awaitClose(WAIT).getCloseCode().getCode());
        CableClient dropped = client("?n=dropped");
        dropped.subscribe(identifier("EmptyChannel"));
        dropped.abort();
        // A later, unrelated session's Disconnect proves the queue moved past any stragglers.
        CableClient marker = client("?n=marker");
        marker.subscribe(identifier("EmptyChannel"));
        marker.close();
        app.awaitCall("Disconnect", call -> call.request(DisconnectRequest.class).getEnv().getUrl().contains("n=marker"),
                WAIT);
        List<String> urls = app.calls("Disconnect").stream()
                .map(call -> call.request(DisconnectRequest.class).getEnv().getUrl())
                .filter(url -> url.contains("?n=") || url.contains("&n="))
                .map(url -> url.replaceAll(".*n=", ""))
                .sorted().toList();
        assertEquals(List.of("aborted", "dropped", "early", "marker"), urls);
    }

    @Test
    void oneFrameBiggerThanThePendingLimitStillReachesAnIdleClient() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        long slowBefore = server.metric("disconnected_slow_clients_total");
        String big = "y".repeat(1_200_000);
        broadcast("a", "{\"big\":\"" + big + "\"}");
        assertEquals(big, c.receive().getAsJsonObject("message").get("big").getAsString());
        assertEquals(slowBefore, server.metric("disconnected_slow_clients_total"));
        assertTrue(c.isOpen());
    }

    @Test
    void httpBroadcastAcceptsValidPayloadsAndExplainsInvalidOnes() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        assertEquals(201, post("{\"stream\":\"a\",\"data\":\"{\\\"via\\\":\\\"http\\\"}\"}").statusCode());
        assertEquals(data(message(id, "{\"via\":\"http\"}")), c.receive());
        var invalid = post("{\"stream\":\"a\",\"data\":{\"not\":\"a string\"}}");
        assertEquals(400, invalid.statusCode());
        assertTrue(invalid.body().contains("\"data\" must be a string"), invalid.body());
        assertEquals(405, server.get("/_broadcast").statusCode());
        assertEquals(413, post("{\"stream\":\"a\",\"data\":\"" + "x".repeat(65536 * 16) + "\"}").statusCode());
        // Each POST is handled before its answer: a frame for a refused one would have come before this one.
        assertEquals(201, post("{\"stream\":\"a\",\"data\":\"{\\\"after\\\":\\\"refusals\\\"}\"}").statusCode());
        assertEquals(data(message(id, "{\"after\":\"refusals\"}")), c.receive());
    }

    @Test
    void healthAndMetricsEndpoints() {
        assertEquals(200, server.get("/health").statusCode());
        assertEquals(200, server.get("/health/ready").statusCode());
        String metrics = server.get("/metrics").body();
        assertTrue(metrics.contains("anycable_go_clients_num "), metrics);
        assertTrue(metrics.contains("anycable_go_rpc_call_total "), metrics);
    }

    /** How many Disconnects recorded so far carry the identifiers {@code {"uid":"<uid>"}}. */
    private long disconnectsOf(String uid) {
        return app.calls("Disconnect").stream()
                .filter(each -> each.request(DisconnectRequest.class).getIdentifiers().equals("{\"uid\":\"" + uid + "\"}"))
                .count();
    }

    private java.net.http.HttpResponse<String> post(String body) {
        return server.postBroadcast("/_broadcast", body);
    }

    private static String quote(String text) {
        JsonObject holder = new JsonObject();
        holder.addProperty("v", text);
        return holder.get("v").toString();
    }

    @Test
    void originOutsideAllowedOriginsIsRefusedWith403() {
        try (CableServer own = startOwn(Map.of("allowed_origins", "*.example.com"))) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> CableClient.connect(
                    own.ws("/cable"), CableClient.Options.defaults().withHeader("Origin", "https://evil.test")));
            assertTrue(refused.getMessage().contains("HTTP 403"), refused.getMessage());
            CableClient allowed = track(CableClient.connect(own.ws("/cable"),
                    CableClient.Options.defaults().withHeader("Origin", "https://app.example.com").ignoring("ping")));
            assertFrame("{\"type\":\"welcome\"}", allowed.receive());
        }
    }

    @Test
    void unknownPathIsNotUpgraded() {
        // The handshake reaches the server and is refused there: not a connection error or a client-side failure.
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> CableClient.connect(server.ws("/nowhere")));
        assertTrue(refused.getMessage().contains(": HTTP 404 ("), refused.getMessage());
    }

    @Test
    void aPingDueInTheLastThirdOfItsIntervalGoesAheadOfABroadcastAndTheNextComesAnIntervalAfterIt()
            throws InterruptedException {
        // Pings in milliseconds: each carries the time of the pinger's tick that sent it.
        CableClient c = client("?pi=3&ptp=ms", CableClient.Options.defaults().ignoring("welcome"));
        String stream = "pings_" + UUID.randomUUID();
        String id = identifier("NamedStreamChannel", "stream", stream);
        c.sendSubscribe(id);
        JsonObject frame = c.receive();
        while (isPing(frame)) {
            frame = c.receive();
        }
        assertEquals(data(confirm(id)), frame);
        JsonObject first = c.receive(Duration.ofSeconds(10));
        assertTrue(isPing(first), "not a ping: " + first);
        long firstReceived = System.nanoTime();

        // Its next ping is due 3 s after it and may go along a frame from 2 s on: a broadcast halfway between.
        Thread.sleep(Duration.ofMillis(2_450).minusNanos(System.nanoTime() - firstReceived));
        broadcast(stream, "{\"n\":1}");
        JsonObject early = c.receive();
        assertTrue(isPing(early), "the ping did not go ahead of the broadcast: " + early);
        assertEquals(data(message(id, "{\"n\":1}")), c.receive());
        long earlyAfter = pingMillis(early) - pingMillis(first);
        assertTrue(earlyAfter >= 1_000 && earlyAfter < 2_900,
                "the ping went along " + earlyAfter + " ms after the last");

        // The timer's ping comes an interval after the early one, not at the first one's old schedule.
        JsonObject next = c.receive(Duration.ofSeconds(10));
        assertTrue(isPing(next), "not a ping: " + next);
        long nextAfter = pingMillis(next) - pingMillis(early);
        assertTrue(nextAfter >= 2_000, "the timer pinged " + nextAfter + " ms after the ping that went along");
    }

    private static boolean isPing(JsonObject frame) {
        return frame.has("type") && frame.get("type").getAsString().equals("ping");
    }

    private static long pingMillis(JsonObject ping) {
        return ping.get("message").getAsLong();
    }
}
