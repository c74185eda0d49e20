package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.jcable.testing.CableClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** anyt's default scenarios (docs/conformance.md §3), numbered as there. Scenario 15 lives in ShutdownTest. */
class ConformanceTest extends CableTestSupport {
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(500);

    @Test
    void s01_pingsCarryIncreasingUnixSeconds() {
        CableClient c = client("?pi=1", CableClient.Options.defaults().ignoring("welcome"));
        JsonObject first = c.receive();
        JsonObject second = c.receive();
        assertEquals("ping", first.get("type").getAsString());
        assertEquals("ping", second.get("type").getAsString());
        long t1 = first.get("message").getAsLong();
        long t2 = second.get("message").getAsLong();
        assertTrue(t2 > t1, "second ping " + t2 + " must be after " + t1);
        assertTrue(Math.abs(t1 - System.currentTimeMillis() / 1000) < 60, "seconds, not ms: " + t1);
    }

    @Test
    void s02_welcome() {
        CableClient c = client("", CableClient.Options.defaults().ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
    }

    @Test
    void s03_requestUrlReachesConnectAndWelcomeComesFirst() {
        CableClient c = client("?test=request_url", CableClient.Options.defaults().ignoring());
        assertFrame("{\"type\":\"welcome\"}", c.receive());
        assertTrue(app.calls("Connect").getLast().request(io.jcable.rpc.proto.ConnectionRequest.class)
                .getEnv().getUrl().matches("http://127\\.0\\.0\\.1:\\d+/cable\\?test=request_url"));
    }

    @Test
    void s04_cookieMissingClosesTheSocket() {
        CableClient c = client("?test=cookies");
        c.awaitClose(CLOSE_WAIT);
    }

    @Test
    void s05_cookiePresent() {
        CableClient c = client("?test=cookies",
                CableClient.Options.defaults().withHeader("cookie", "username=john green").ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
    }

    @Test
    void s06_headerMissingClosesTheSocket() {
        client("?test=headers").awaitClose(CLOSE_WAIT);
    }

    @Test
    void s07_headerPresent() {
        CableClient c = client("?test=headers",
                CableClient.Options.defaults().withHeader("x-api-token", "abc").ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
    }

    @Test
    void s08_rejectionFrameThenNormalClose() {
        CableClient c = client("?test=reasons&reason=unauthorized", CableClient.Options.defaults().ignoring());
        assertEquals(data("{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}"), c.receive());
        assertEquals(1000, c.awaitClose(CLOSE_WAIT).getCloseCode().getCode());
    }

    @Test
    void s09_channelSeesTheRequestUrl() {
        CableClient c = client("?token=secret");
        c.subscribe(identifier("RequestTokenChannel"));
    }

    @Test
    void s10_disconnectRunsUnsubscribeCallbacksOfDifferentChannels() {
        String a = identifier("RequestAChannel");
        String b = identifier("RequestBChannel");
        CableClient c = client("");
        c.subscribe(a);
        c.subscribe(b);
        CableClient c2 = client("");
        c2.subscribe(a);
        c2.subscribe(b);
        c2.close();
        Set<JsonObject> received = Set.of(c.receive(), c.receive());
        assertEquals(Set.of(data(message(a, "{\"data\":\"user left\"}")), data(message(b, "{\"data\":\"user left\"}"))),
                received);
    }

    @Test
    void s11_disconnectRunsUnsubscribeCallbacksOfTheSameChannel() {
        String own = identifier("RequestCChannel");
        CableClient c = client("");
        c.subscribe(own);
        CableClient c2 = client("");
        c2.subscribe(identifier("RequestCChannel", "id", 1));
        c2.subscribe(identifier("RequestCChannel", "id", 2));
        c2.close();
        Set<JsonObject> received = new HashSet<>(Set.of(c.receive(), c.receive()));
        assertEquals(Set.of(data(message(own, "{\"data\":\"user left1\"}")), data(message(own, "{\"data\":\"user left2\"}"))),
                received);
    }

    @Test
    void s12_channelStateIsKeptBetweenCommands() {
        String id = identifier("StateChannel", "name", "chipolino");
        CableClient c = client("");
        c.subscribe(id);
        c.perform(id, data("{\"action\":\"tick\"}"));
        assertEquals(data(message(id, "{\"count\":3,\"name\":\"chipolino\"}")), c.receive());
    }

    @Test
    void s13_channelStateReachesDisconnect() {
        String id = identifier("StateChannel", "name", "chipolino");
        CableClient c = client("");
        c.subscribe(id);
        CableClient c2 = client("");
        c2.subscribe(identifier("StateChannel", "name", "chipollone", "notify_disconnect", true));
        c2.close();
        assertEquals(data(message(id, "{\"data\":\"user left: chipollone\"}")), c.receive());
    }

    @Test
    void s14_remoteDisconnect() {
        CableClient c = client("?test=uid&uid=26", CableClient.Options.defaults().ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
        redis.publish("__anycable__",
                "{\"command\":\"disconnect\",\"payload\":{\"identifier\":\"{\\\"uid\\\":\\\"26\\\"}\",\"reconnect\":true}}");
        assertEquals(data("{\"type\":\"disconnect\",\"reason\":\"remote\",\"reconnect\":true}"), c.receive());
        assertEquals(1000, c.awaitClose(CLOSE_WAIT).getCloseCode().getCode());
    }

    @Test
    void s16_broadcastObject() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        broadcast("a", "{\"data\":{\"user_id\":1,\"status\":\"left\",\"meta\":{\"connection_time\":\"10s\"}}}");
        assertEquals(data(message(id, "{\"data\":{\"user_id\":1,\"status\":\"left\",\"meta\":{\"connection_time\":\"10s\"}}}")),
                c.receive());
    }

    @Test
    void s17_broadcastPlainStringLiteral() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        redis.publish("__anycable__",
                "{\"stream\":\"a\",\"data\":\"\\\"\\\\u003cscript\\\\u003ealert('Message!');\\\\u003c/script\\\\u003e\\\"\"}");
        JsonObject frame = c.receive();
        assertEquals("<script>alert('Message!');</script>", frame.get("message").getAsString());
    }

    @Test
    void s18_broadcastJsonStringIsNotDecodedTwice() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        redis.publish("__anycable__",
                "{\"stream\":\"a\",\"data\":\"\\\"{\\\\\\\"script\\\\\\\":{\\\\\\\"alert\\\\\\\":\\\\\\\"Message!\\\\\\\"}}\\\"\"}");
        JsonObject frame = c.receive();
        assertTrue(frame.get("message").isJsonPrimitive(), "message must stay a string: " + frame);
        assertEquals("{\"script\":{\"alert\":\"Message!\"}}", frame.get("message").getAsString());
    }

    @Test
    void s19_twoClientsBothReceive() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        CableClient c2 = client("");
        c.subscribe(id);
        c2.subscribe(id);
        broadcast("a", "{\"data\":\"X\"}");
        assertEquals(data(message(id, "{\"data\":\"X\"}")), c.receive());
        assertEquals(data(message(id, "{\"data\":\"X\"}")), c2.receive());
    }

    @Test
    void s20_unsubscribedClientReceivesNothing() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        CableClient c2 = client("");
        c.subscribe(id);
        c2.subscribe(id);
        unsubscribeAndSettle(c, id);
        broadcast("a", "{\"data\":\"Y\"}");
        assertEquals(data(message(id, "{\"data\":\"Y\"}")), c2.receive());
        c.expectNothing(QUIET);
    }

    @Test
    void s21_multipleStreamsInOrder() {
        String id = identifier("TwoStreamsChannel");
        CableClient c = client("");
        c.subscribe(id);
        broadcast("a", "{\"data\":\"X\"}");
        broadcast("b", "{\"data\":\"Y\"}");
        assertEquals(data(message(id, "{\"data\":\"X\"}")), c.receive());
        assertEquals(data(message(id, "{\"data\":\"Y\"}")), c.receive());
    }

    @Test
    void s22_multipleStreamsStopAfterUnsubscribe() {
        String id = identifier("TwoStreamsChannel");
        CableClient c = client("");
        c.subscribe(id);
        broadcast("a", "{\"data\":\"X\"}");
        assertEquals(data(message(id, "{\"data\":\"X\"}")), c.receive());
        unsubscribeAndSettle(c, id);
        broadcast("a", "{\"data\":\"Y\"}");
        broadcast("b", "{\"data\":\"Z\"}");
        c.expectNothing(QUIET);
    }

    @Test
    void s23_orderWithinAStream() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        for (int i = 0; i < 50; i++) {
            broadcast("a", "{\"n\":" + i + "}");
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(data(message(id, "{\"n\":" + i + "}")), c.receive());
        }
    }

    @Test
    void s24_singleStreamStopsAfterUnsubscribe() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        broadcast("a", "{\"data\":\"X\"}");
        assertEquals(data(message(id, "{\"data\":\"X\"}")), c.receive());
        unsubscribeAndSettle(c, id);
        broadcast("a", "{\"data\":\"Y\"}");
        c.expectNothing(QUIET);
    }

    @Test
    void s25_sameChannelOtherParamsGetsOneFramePerIdentifier() {
        String first = identifier("StreamChannel");
        String second = identifier("StreamChannel", "some_param", "test");
        CableClient c = client("");
        c.subscribe(first);
        c.subscribe(second);
        broadcast("a", "{\"data\":\"XX\"}");
        Set<JsonObject> received = Set.of(c.receive(), c.receive());
        assertEquals(Set.of(data(message(first, "{\"data\":\"XX\"}")), data(message(second, "{\"data\":\"XX\"}"))),
                received);
    }

    @Test
    void s26_stopStreamFrom() {
        String id = identifier("StopStreamsChannel");
        CableClient c = client("");
        c.subscribe(id);
        broadcast("a", "{\"data\":\"X\"}");
        assertEquals(data(message(id, "{\"data\":\"X\"}")), c.receive());
        c.perform(id, data("{\"action\":\"unfollow\",\"name\":\"a\"}"));
        app.awaitCall("Command", call -> call.request(io.jcable.rpc.proto.CommandMessage.class).getData()
                .contains("unfollow"), Duration.ofSeconds(5));
        c.perform(id, data("{\"action\":\"noop\"}"));
        app.awaitCall("Command", call -> call.request(io.jcable.rpc.proto.CommandMessage.class).getData()
                .contains("noop"), Duration.ofSeconds(5));
        broadcast("a", "{\"data\":\"Y\"}");
        broadcast("b", "{\"data\":\"Z\"}");
        assertEquals(data(message(id, "{\"data\":\"Z\"}")), c.receive());
    }

    @Test
    void s27_confirm() {
        CableClient c = client("");
        String id = identifier("EmptyChannel");
        c.sendSubscribe(id);
        assertEquals(data(confirm(id)), c.receive());
    }

    @Test
    void s28_reject() {
        CableClient c = client("");
        String id = identifier("RejectorChannel");
        c.sendSubscribe(id);
        assertEquals(data(reject(id)), c.receive());
    }

    @Test
    void s29_paramsDistinguishSubscriptions() {
        CableClient c = client("");
        c.subscribe(identifier("ParamsChannel", "id", 1));
        c.subscribe(identifier("ParamsChannel", "id", 2));
    }

    @Test
    void s30_performWithoutArguments() {
        String id = identifier("PerformChannel");
        CableClient c = client("");
        c.subscribe(id);
        c.perform(id, data("{\"action\":\"tick\"}"));
        assertEquals(data(message(id, "\"tock\"")), c.receive());
    }

    @Test
    void s31_performWithArguments() {
        String id = identifier("PerformChannel");
        CableClient c = client("");
        c.subscribe(id);
        c.perform(id, data("{\"action\":\"echo\",\"text\":\"hello\"}"));
        assertEquals(data(message(id, "{\"response\":\"hello\"}")), c.receive());
    }

    @Test
    void s32_transmissionsDuringSubscribeComeInOrderBeforeTheConfirmation() {
        String id = identifier("TransmissionsChannel");
        CableClient c = client("");
        c.sendSubscribe(id);
        assertEquals(data(message(id, "\"hello\"")), c.receive());
        assertEquals(data(message(id, "\"world\"")), c.receive());
        assertEquals(data(confirm(id)), c.receive());
    }

    /** Unsubscribes, then waits until a later command of the same socket reached the app (mailbox order). */
    private void unsubscribeAndSettle(CableClient c, String id) {
        c.unsubscribe(id);
        String marker = identifier("EmptyChannel", "marker", System.nanoTime());
        c.subscribe(marker);
    }
}
