package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp.RecordedCall;
import io.jcable.testing.LogCapture;
import io.jcable.testing.Signing;
import jakarta.websocket.CloseReason;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Standalone mode end to end, through real sockets: JWT identification (query, header, sub-protocol entry; every
 * bad token), {@code $pubsub} signed and public streams, Turbo Streams and CableReady served without RPC, the
 * Disconnect call skipped in mode {@code auto} for sessions that never needed the application, and the norpc,
 * noauth, public and enforced-JWT modes. Tokens and signed names are made as anycable-rails and Rails make them
 * ({@link Signing}); each case checks the exact frame, the close code and which calls the application saw.
 */
class StandaloneModeTest extends CableTestSupport {
    private static final String SECRET = "standalone-test-secret";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String IDS = "{\"current_user\":\"gid://app/User/42\"}";
    private static final String UNAUTHORIZED = "{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}";
    private static final String TOKEN_EXPIRED = "{\"type\":\"disconnect\",\"reason\":\"token_expired\",\"reconnect\":false}";
    private static final String PING = "{\"command\":\"ping\"}";
    private static final String PONG = "{\"type\":\"pong\"}";
    private static final CableClient.Options WITH_WELCOME = CableClient.Options.defaults().ignoring("ping");

    @Override
    protected void configure(Map<String, String> options) {
        options.put("secret", SECRET);
        options.put("turbo_streams", "true");
        options.put("cable_ready", "true");
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static String token(String identifiers) {
        return Signing.anycableJwt(SECRET, identifiers, now() + 3600);
    }

    private static String pubsub(String signedName) {
        return identifier("$pubsub", "signed_stream_name", signedName);
    }

    /** The sid of the server-made welcome, which must be exactly {@code {"type":"welcome","sid":…}}. */
    private static String awaitServerWelcome(CableClient client) {
        JsonObject welcome = client.receive();
        assertTrue(welcome.has("sid"), "welcome without sid: " + welcome);
        String sid = welcome.get("sid").getAsString();
        assertEquals(data("{\"type\":\"welcome\",\"sid\":" + new JsonPrimitive(sid) + "}"), welcome);
        return sid;
    }

    private static void assertClosed(CableClient client, int code, String reason) {
        CloseReason close = client.awaitClose(WAIT);
        assertEquals(code, close.getCloseCode().getCode(), "close code");
        assertEquals(reason, close.getReasonPhrase(), "close reason");
    }

    /** A ping answered proves that everything the client sent before it has been handled. */
    private static void assertAlive(CableClient client) {
        client.send(PING);
        assertEquals(data(PONG), client.receive());
    }

    /**
     * The shared server made no Connect or Command call since the test began (Disconnects of earlier tests' clients
     * may still arrive: sessions of this test that are still open have had none).
     */
    private void assertNoConnectOrCommand(String what) {
        assertEquals(List.of(), app.calls().stream().filter(call -> !call.method().equals("Disconnect")).toList(),
                "calls to the application for " + what);
    }

    @Test
    void jwtInTheQueryIdentifiesWithoutConnectAndTheIdentifiersReachTheApplication() {
        CableClient client = client("?jid=" + token(IDS), WITH_WELCOME);
        String sid = awaitServerWelcome(client);
        String channel = identifier("PerformChannel");
        client.subscribe(channel);
        CommandMessage subscribe = app.awaitCall("Command", call -> sid.equals(call.sid()), WAIT)
                .request(CommandMessage.class);
        assertEquals(IDS, subscribe.getConnectionIdentifiers());
        assertEquals(List.of(), app.calls("Connect"));

        // The application answered a command: it wants the Disconnect, with the token's identifiers.
        client.close();
        DisconnectRequest disconnect = app.awaitCall("Disconnect", call -> sid.equals(call.sid()), WAIT)
                .request(DisconnectRequest.class);
        assertEquals(IDS, disconnect.getIdentifiers());
        assertEquals(List.of(channel), disconnect.getSubscriptionsList());
    }

    @Test
    void jwtInTheHeaderOrInTheSubprotocolOfferIdentifiesToo() {
        CableClient byHeader = client("", WITH_WELCOME.withHeader("X-JID", token(IDS)));
        awaitServerWelcome(byHeader);
        String subprotocolToken = token(IDS);
        CableClient bySubprotocol = client("", WITH_WELCOME.withSubprotocols("actioncable-v1-json",
                "anycable-token." + subprotocolToken));
        String sid = awaitServerWelcome(bySubprotocol);
        assertEquals("actioncable-v1-json", bySubprotocol.subprotocol(), "the token entry is never chosen");
        // As anycable-go does, the application sees a token that is not in the URL as the X-JID header.
        bySubprotocol.subscribe(identifier("PerformChannel"));
        CommandMessage subscribe = app.awaitCall("Command", call -> sid.equals(call.sid()), WAIT)
                .request(CommandMessage.class);
        assertEquals(subprotocolToken, subscribe.getEnv().getHeadersOrThrow("x-jid"));
        CableClient extWithToken = client("", WITH_WELCOME.withSubprotocols("anycable-token." + token(IDS),
                "actioncable-v1-ext-json"));
        awaitServerWelcome(extWithToken);
        assertEquals("actioncable-v1-ext-json", extWithToken.subprotocol());
        assertEquals(List.of(), app.calls("Connect"));
    }

    @Test
    void withoutATokenTheApplicationsConnectDecides() {
        CableClient client = client("", WITH_WELCOME);
        assertFrame("{\"type\":\"welcome\"}", client.receive());
        assertEquals(1, app.calls("Connect").size());
    }

    @Test
    void expiredTokenIsToldSoAndClosedWithoutAnyCall() {
        long failedAuths = server.metric("failed_auths_total");
        CableClient client = client("?jid=" + Signing.anycableJwt(SECRET, IDS, now() - 10), WITH_WELCOME);
        assertEquals(data(TOKEN_EXPIRED), client.receive());
        assertClosed(client, 1000, "Auth Failed");
        assertEquals(failedAuths + 1, server.metric("failed_auths_total"));
        assertNoConnectOrCommand("an expired token");
    }

    static Stream<Arguments> badTokens() {
        long now = now();
        String claims = Signing.claims(IDS, now + 3600);
        return Stream.of(
                Arguments.of("another secret", Signing.anycableJwt("another-secret", IDS, now + 3600)),
                Arguments.of("alg none", base64url("{\"alg\":\"none\"}") + "." + base64url(claims) + "."),
                Arguments.of("RS256 header", Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"RS256\"}", claims)),
                Arguments.of("kid header", Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\",\"kid\":\"k1\"}", claims)),
                Arguments.of("jku header", Signing.jwt(SECRET, "HmacSHA256",
                        "{\"alg\":\"HS256\",\"jku\":\"https://evil.example/keys\"}", claims)),
                Arguments.of("nbf in the future", Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\"}",
                        "{\"ext\":" + new JsonPrimitive(IDS) + ",\"nbf\":" + (now + 3600) + "}")),
                Arguments.of("ext not an object", Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\"}",
                        "{\"ext\":\"[\\\"gid://app/User/42\\\"]\"}")),
                Arguments.of("ext not JSON", Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\"}",
                        "{\"ext\":\"gid://app/User/42\"}")),
                Arguments.of("no ext", Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\"}", "{\"exp\":" + (now + 60) + "}")),
                Arguments.of("payload not JSON", Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\"}", "garbage-payload")),
                Arguments.of("not base64", "eyJ!!!.@@@payload.###signature"),
                Arguments.of("garbage", "not-a-token-at-all"),
                Arguments.of("over 4 KiB", Signing.anycableJwt(SECRET, "{\"pad\":\"" + "p".repeat(4200) + "\"}", now + 3600)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void badTokensAreUnauthorizedLoggedWithoutTheTokenAndTheServerServesOthers(String label, String badToken) {
        CableClient bystander = client("?jid=" + token(IDS), WITH_WELCOME);
        awaitServerWelcome(bystander);
        String stream = "bystander/" + label.replace(' ', '_');
        String bystanderId = pubsub(Signing.signedStream(SECRET, stream));
        bystander.subscribe(bystanderId);
        long failedAuths = server.metric("failed_auths_total");

        String log;
        try (LogCapture capture = LogCapture.start()) {
            CableClient client = client("?jid=" + URLEncoder.encode(badToken, StandardCharsets.UTF_8), WITH_WELCOME);
            assertEquals(data(UNAUTHORIZED), client.receive());
            assertClosed(client, 1000, "Auth Failed");
            log = capture.text();
        }
        assertEquals(failedAuths + 1, server.metric("failed_auths_total"));
        assertNoConnectOrCommand("a bad token");
        assertTrue(log.contains("rejected: invalid token: "), "log line for " + label + ":\n" + log);
        for (String part : badToken.split("\\.")) {
            if (part.length() >= 8) {
                assertFalse(log.contains(part), "the log quotes the token:\n" + log);
            }
        }

        broadcast(stream, "{\"text\":\"still served\"}");
        assertEquals(data(message(bystanderId, "{\"text\":\"still served\"}")), bystander.receive());
        awaitServerWelcome(client("?jid=" + token(IDS), WITH_WELCOME));
    }

    @Test
    void signedPubsubStreamIsConfirmedReceivesBroadcastsAndUnsubscribesWithoutRpc() {
        CableClient client = client("?jid=" + token(IDS));
        String chat = pubsub(Signing.signedStream(SECRET, "chat/42"));
        client.sendSubscribe(chat);
        // server-made confirmation, in anycable-go's key order
        assertEquals("{\"type\":\"confirm_subscription\",\"identifier\":" + new JsonPrimitive(chat) + "}",
                client.receiveRaw());
        broadcast("chat/42", "{\"text\":\"hello\"}");
        assertEquals(data(message(chat, "{\"text\":\"hello\"}")), client.receive());

        client.unsubscribe(chat);
        String other = pubsub(Signing.signedStream(SECRET, "chat/43"));
        client.subscribe(other);
        // Published in this order through one Redis channel: had chat/42 still been attached, it would come first.
        broadcast("chat/42", "{\"text\":\"gone\"}");
        broadcast("chat/43", "{\"text\":\"here\"}");
        assertEquals(data(message(other, "{\"text\":\"here\"}")), client.receive());
        assertNoConnectOrCommand("$pubsub");
    }

    static Stream<Arguments> badStreamNames() {
        String signedArray = Signing.signedData(SECRET,
                Base64.getEncoder().encodeToString("[\"chat\",1]".getBytes(StandardCharsets.UTF_8)));
        return Stream.of(
                Arguments.of("another secret", pubsub(Signing.signedStream("another-secret", "chat/42"))),
                Arguments.of("tampered", pubsub(Signing.signedStream(SECRET, "chat/42").replace("ImNoYXQvNDIi", "ImNoYXQvNDMi"))),
                Arguments.of("not base64", pubsub(Signing.signedData(SECRET, "not base64!"))),
                Arguments.of("not JSON", pubsub(Signing.signedData(SECRET, base64("chat/42")))),
                Arguments.of("not a string", pubsub(signedArray)),
                Arguments.of("over 4 KiB", pubsub(Signing.signedStream(SECRET, "c".repeat(4200)))),
                Arguments.of("no separator", pubsub("ImNoYXQvNDIi")),
                Arguments.of("unsigned while public streams are off", identifier("$pubsub", "stream_name", "chat/42")),
                Arguments.of("no stream at all", identifier("$pubsub")),
                Arguments.of("signed name not a string", identifier("$pubsub", "signed_stream_name", 42)),
                Arguments.of("Turbo, another secret", identifier("Turbo::StreamsChannel", "signed_stream_name",
                        Signing.signedStream("another-secret", "gid://app/Room/1"))),
                Arguments.of("CableReady, unsigned", identifier("CableReady::Stream", "identifier", "room_1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badStreamNames")
    void badStreamNamesAreRejectedLocallyLoggedWithoutTheNameAndTheConnectionStays(String label, String identifier) {
        CableClient client = client("?jid=" + token(IDS));
        String log;
        try (LogCapture capture = LogCapture.start()) {
            client.sendSubscribe(identifier);
            assertEquals(data(reject(identifier)), client.receive());
            log = capture.text();
        }
        assertAlive(client);
        assertNoConnectOrCommand(label);
        assertTrue(log.contains("subscribe refused: "), "log line for " + label + ":\n" + log);
        String name = JsonParser.parseString(identifier).getAsJsonObject().entrySet().stream()
                .filter(entry -> !entry.getKey().equals("channel")).map(entry -> entry.getValue().toString())
                .findFirst().orElse("");
        if (name.length() >= 10) {
            assertFalse(log.contains(name.substring(1, 9)), "the log quotes the stream name:\n" + log);
        }
    }

    @Test
    void turboStreamsChannelIsServedWithoutRpc() {
        CableClient client = client("?jid=" + token(IDS));
        // turbo_stream_from @room: Turbo::StreamsChannel with the name signed by the Turbo verifier
        String turbo = identifier("Turbo::StreamsChannel", "signed_stream_name",
                Signing.signedStream(SECRET, "gid://app/Room/1"));
        client.subscribe(turbo);
        String html = "<turbo-stream action=\"append\" target=\"messages\"><template>hi</template></turbo-stream>";
        broadcast("gid://app/Room/1", new JsonPrimitive(html).toString());
        assertEquals(data(message(turbo, new JsonPrimitive(html).toString())), client.receive());
        assertNoConnectOrCommand("Turbo");
    }

    @Test
    void turboAlsoWorksForASessionTheApplicationIdentified() {
        CableClient client = client("", WITH_WELCOME);
        assertFrame("{\"type\":\"welcome\"}", client.receive());
        String turbo = identifier("Turbo::StreamsChannel", "signed_stream_name",
                Signing.signedStream(SECRET, "gid://app/Room/2"));
        client.subscribe(turbo);
        assertEquals(List.of(), app.calls("Command"));
    }

    @Test
    void cableReadyStreamIsServedWithoutRpc() {
        CableClient client = client("?jid=" + token(IDS));
        String cableReady = identifier("CableReady::Stream", "identifier", Signing.signedStream(SECRET, "room_1"));
        client.subscribe(cableReady);
        broadcast("room_1", "{\"cableReady\":true,\"operations\":[]}");
        assertEquals(data(message(cableReady, "{\"cableReady\":true,\"operations\":[]}")), client.receive());
        assertNoConnectOrCommand("CableReady");
    }

    @Test
    void anActionOnALocalStreamIsRefusedWithoutRpc() {
        CableClient client = client("?jid=" + token(IDS));
        String chat = pubsub(Signing.signedStream(SECRET, "chat/42"));
        client.subscribe(chat);
        JsonObject speak = new JsonObject();
        speak.addProperty("action", "speak");
        client.perform(chat, speak);
        assertAlive(client);
        assertNoConnectOrCommand("an action on $pubsub");
    }

    @Test
    void disconnectModeAutoSkipsSessionsThatNeverNeededTheApplicationAlwaysDoesNot() {
        for (String mode : List.of("auto", "always")) {
            CableServer own = startOwn(Map.of("secret", SECRET, "disconnect_mode", mode));
            CableClient local = track(CableClient.connect(own.ws("/cable?jid=" + token(IDS)), WITH_WELCOME));
            String localSid = awaitServerWelcome(local);
            local.subscribe(pubsub(Signing.signedStream(SECRET, "chat/1")));
            CableClient withApp = track(CableClient.connect(own.ws("/cable?jid=" + token(IDS)), WITH_WELCOME));
            String appSid = awaitServerWelcome(withApp);
            withApp.subscribe(identifier("EmptyChannel"));
            local.close();
            withApp.close();
            own.awaitMetric("clients_num", value -> value == 0, WAIT);
            // Undeploy drains the Disconnect queue: whatever was queued has been called once stop() returns.
            own.stop();
            List<String> disconnected = callsFrom(own).stream().filter(call -> call.method().equals("Disconnect"))
                    .map(RecordedCall::sid).sorted().toList();
            assertEquals(mode.equals("auto") ? List.of(appSid) : Stream.of(localSid, appSid).sorted().toList(),
                    disconnected, "mode " + mode);
            assertEquals(List.of(), callsFrom(own).stream().filter(call -> call.method().equals("Connect")).toList());
        }
    }

    @Test
    void noRpcServesJwtAndLocalStreamsRefusesEverythingElseAndNeverCallsTheApplication() {
        try (CableServer own = startOwn(Map.of("norpc", "true", "secret", SECRET))) {
            CableClient anonymous = track(CableClient.connect(own.ws("/cable"), WITH_WELCOME));
            assertEquals(data(UNAUTHORIZED), anonymous.receive());
            assertClosed(anonymous, 1000, "Auth Failed");
            assertEquals(1, own.metric("failed_auths_total"));

            CableClient client = track(CableClient.connect(own.ws("/cable?jid=" + token(IDS)), WITH_WELCOME));
            awaitServerWelcome(client);
            String channel = identifier("PerformChannel");
            client.sendSubscribe(channel);
            assertEquals(data(reject(channel)), client.receive());
            String chat = pubsub(Signing.signedStream(SECRET, "chat/norpc"));
            client.subscribe(chat);
            assertEquals(201, own.postBroadcast("/_broadcast",
                    "{\"stream\":\"chat/norpc\",\"data\":\"{\\\"n\\\":1}\"}").statusCode());
            assertEquals(data(message(chat, "{\"n\":1}")), client.receive());
            client.close();
            own.awaitMetric("clients_num", value -> value == 0, WAIT);
            assertEquals(0, own.metric("rpc_call_total"));
            own.stop();
            assertEquals(List.of(), callsFrom(own));
        }
    }

    @Test
    void noauthAcceptsEverySocketIdentifiedByItsSid() {
        try (CableServer own = startOwn(Map.of("noauth", "true"))) {
            CableClient client = track(CableClient.connect(own.ws("/cable"), WITH_WELCOME));
            String sid = awaitServerWelcome(client);
            client.subscribe(identifier("PerformChannel"));
            CommandMessage subscribe = app.awaitCall("Command", call -> sid.equals(call.sid()), WAIT)
                    .request(CommandMessage.class);
            assertEquals("{\"sid\":\"" + sid + "\"}", subscribe.getConnectionIdentifiers());
            assertEquals(List.of(), callsFrom(own).stream().filter(call -> call.method().equals("Connect")).toList());
        }
    }

    @Test
    void publicModeAcceptsAnonymousSocketsPublicStreamsAndBroadcastsWithoutAKey() {
        try (CableServer own = startOwn(Map.of("public", "true", "secret", SECRET))) {
            CableClient client = track(CableClient.connect(own.ws("/cable"), WITH_WELCOME));
            awaitServerWelcome(client);
            String lobby = identifier("$pubsub", "stream_name", "lobby");
            client.subscribe(lobby);
            assertEquals(201, own.send(HttpRequest.newBuilder(own.http("/_broadcast"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":\"lobby\",\"data\":\"{\\\"n\\\":2}\"}"))
                    .build()).statusCode());
            assertEquals(data(message(lobby, "{\"n\":2}")), client.receive());
            assertEquals(List.of(), callsFrom(own));
        }
    }

    @Test
    void aRenamedTokenParamIsReadFromTheQueryTheSubprotocolAndTheHeader() {
        try (CableServer own = startOwn(Map.of("secret", SECRET, "jwt_param", "token", "enforce_jwt", "true"))) {
            awaitServerWelcome(track(CableClient.connect(own.ws("/cable?token=" + token(IDS)), WITH_WELCOME)));
            awaitServerWelcome(track(CableClient.connect(own.ws("/cable"),
                    WITH_WELCOME.withSubprotocols("actioncable-v1-json", "anycable-token." + token(IDS)))));
            awaitServerWelcome(track(CableClient.connect(own.ws("/cable"), WITH_WELCOME.withHeader("x-token", token(IDS)))));
            CableClient oldName = track(CableClient.connect(own.ws("/cable?jid=" + token(IDS)), WITH_WELCOME));
            assertEquals(data(UNAUTHORIZED), oldName.receive());
            assertClosed(oldName, 1000, "Auth Failed");
            assertEquals(List.of(), callsFrom(own));
        }
    }

    @Test
    void legacyKeysTurnJwtAndTurboStreamsOn() {
        try (CableServer own = startOwn(Map.of("jwt_id_key", "legacy-jwt", "turbo_rails_key", "legacy-turbo"))) {
            CableClient client = track(CableClient.connect(own.ws("/cable?jid="
                    + Signing.anycableJwt("legacy-jwt", IDS, now() + 60)), WITH_WELCOME));
            awaitServerWelcome(client);
            client.subscribe(identifier("Turbo::StreamsChannel", "signed_stream_name",
                    Signing.signedStream("legacy-turbo", "gid://app/Room/9")));
            assertEquals(List.of(), callsFrom(own));
        }
    }

    @Test
    void enforcedJwtRefusesSocketsWithoutAToken() {
        try (CableServer own = startOwn(Map.of("secret", SECRET, "enforce_jwt", "true"))) {
            CableClient anonymous = track(CableClient.connect(own.ws("/cable"), WITH_WELCOME));
            assertEquals(data(UNAUTHORIZED), anonymous.receive());
            assertClosed(anonymous, 1000, "Auth Failed");
            awaitServerWelcome(track(CableClient.connect(own.ws("/cable?jid=" + token(IDS)), WITH_WELCOME)));
            assertEquals(List.of(), callsFrom(own));
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String base64url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
