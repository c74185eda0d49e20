package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.protocol.Json;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Options that shape the handshake, the session's sub-protocol and the ingest endpoints, end to end. A test that
 * needs options of its own starts a jcable of its own next to the class's one (same fake app and Redis).
 */
class HandshakeOptionsTest extends CableTestSupport {

    @Test
    void proxyCookiesForwardsOnlyTheNamedCookies() {
        try (CableServer own = startOwn(Map.of("proxy_cookies", "username, session"))) {
            CableClient c = track(CableClient.connect(own.ws("/cable?test=cookies"), CableClient.Options.defaults()
                    .withHeader("cookie", "theme=dark; username=john green; session=a=b==").ignoring("ping")));
            assertFrame("{\"type\":\"welcome\"}", c.receive());
            assertEquals("username=john green; session=a=b==", lastConnectHeaders().get("cookie"));
        }
    }

    @Test
    void anExplicitlyEmptyHeadersListForwardsNoHeaders() {
        try (CableServer own = startOwn(Map.of("headers", ""))) {
            CableClient c = track(CableClient.connect(own.ws("/cable"), CableClient.Options.defaults()
                    .withHeader("cookie", "a=b").withHeader("x-api-token", "abc").ignoring("ping")));
            assertFrame("{\"type\":\"welcome\"}", c.receive());
            assertEquals(Map.of("REMOTE_ADDR", "127.0.0.1"), lastConnectHeaders());
        }
    }

    @Test
    void aLoneStarInAllowedOriginsAllowsAnyOrigin() {
        try (CableServer own = startOwn(Map.of("allowed_origins", "*"))) {
            CableClient c = track(CableClient.connect(own.ws("/cable"),
                    CableClient.Options.defaults().withHeader("Origin", "https://anything.test:8443").ignoring("ping")));
            assertFrame("{\"type\":\"welcome\"}", c.receive());
        }
    }

    @Test
    void httpOnlyAdapterLeavesRedisAloneAndServesItsOwnPath() {
        // A Redis URL alone turns the Redis pub/sub on (several nodes); one node says so with pubsub=none.
        try (CableServer own = startOwn(Map.of("broadcast_adapter", "http", "redis_url", "redis://127.0.0.1:" + closedPort(),
                "pubsub", "none", "http_broadcast_path", "/pub"))) {
            // A Redis subscriber that cannot connect would keep readiness at 503 and publish redis_* metrics.
            assertEquals(200, own.get("/health/ready").statusCode());
            assertFalse(own.get("/metrics").body().contains("redis"), own.get("/metrics").body());
            String id = identifier("StreamChannel");
            CableClient c = track(CableClient.connect(own.ws("/cable")));
            c.subscribe(id);
            String payload = "{\"stream\":\"a\",\"data\":\"{\\\"via\\\":\\\"pub\\\"}\"}";
            assertEquals(201, post(own, "/pub", payload));
            assertEquals(data(message(id, "{\"via\":\"pub\"}")), c.receive());
            // nothing of jcable's broadcast servlet behind the default path any more: an unmapped path is 404
            // (the broadcast servlet never answers 404)
            assertEquals(404, post(own, "/_broadcast", "{\"stream\":\"a\",\"data\":\"{\\\"via\\\":\\\"default\\\"}\"}"));
            // each POST is handled before its answer: a frame for the refused one would have come before this one
            assertEquals(201, post(own, "/pub", "{\"stream\":\"a\",\"data\":\"{\\\"after\\\":\\\"404\\\"}\"}"));
            assertEquals(data(message(id, "{\"after\":\"404\"}")), c.receive());
        }
    }

    @Test
    void whisperAndPresenceWithoutTheirChannelStateAreRefusedAndTheConnectionKeepsWorking() {
        CableClient c = client("", CableClient.Options.defaults().withSubprotocols("actioncable-v1-ext-json"));
        assertEquals("actioncable-v1-ext-json", c.subprotocol());
        String empty = identifier("EmptyChannel");
        c.subscribe(empty);
        long failed = server.metric("failed_client_msg_total");
        String quoted = Json.quote(empty);
        c.send("{\"command\":\"whisper\",\"identifier\":" + quoted + ",\"data\":{\"event\":\"typing\"}}");
        c.send("{\"command\":\"join\",\"identifier\":" + quoted + ",\"presence\":{\"id\":\"42\",\"info\":{}}}");
        c.send("{\"command\":\"leave\",\"identifier\":" + quoted + "}");
        c.send("{\"command\":\"presence\",\"identifier\":" + quoted + ",\"data\":{}}");
        // No $w, no $p: only the presence request gets an answer (its error frame). Commands run in order, and
        // subscribe() wants the confirmation as the very next frame: nothing else answered them.
        assertEquals("{\"type\":\"presence\",\"identifier\":" + quoted + ",\"message\":{\"type\":\"error\","
                + "\"total\":0}}", c.receiveRaw());
        String id = identifier("StreamChannel");
        c.subscribe(id);
        assertEquals(failed + 4, server.metric("failed_client_msg_total"));
        broadcast("a", "{\"after\":\"unsupported\"}");
        // an extended session's frame of a stored publication also carries its position
        assertFrame(message(id, "{\"after\":\"unsupported\"}"), c.receive());
        assertTrue(c.isOpen());
    }

    private Map<String, String> lastConnectHeaders() {
        return app.calls("Connect").getLast().request(ConnectionRequest.class).getEnv().getHeadersMap();
    }

    private static int post(CableServer target, String path, String body) {
        return target.postBroadcast(path, body).statusCode();
    }

    /** A local port nothing listens on (just released). */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
