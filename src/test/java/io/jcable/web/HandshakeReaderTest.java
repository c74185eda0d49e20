package io.jcable.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.config.CableConfig;
import io.jcable.config.ConfigSource;
import io.jcable.config.PingPrecision;
import io.jcable.session.Handshake;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeReaderTest {

    private static HandshakeReader reader(Map<String, String> env) {
        CableConfig config = CableConfig.load(new ConfigSource(k -> null, env, k -> null));
        return new HandshakeReader(config.server(), config.rpc(), config.auth());
    }

    @Test
    void envCarriesHttpUrlWithQueryFilteredLowerCaseHeadersAndRemoteAddr() {
        Handshake handshake = reader(Map.of("ANYCABLE_HEADERS", "cookie,x-api-token")).read(
                URI.create("ws://localhost:8080/cable?test=request_url"), "test=request_url",
                Map.of("Host", List.of("localhost:8080"), "Cookie", List.of("username=john green"),
                        "X-API-TOKEN", List.of("abc"), "X-Other", List.of("no"), "x-request-id", List.of("rid")),
                "127.0.0.1");
        assertEquals("http://localhost:8080/cable?test=request_url", handshake.env().url());
        assertEquals(Map.of("cookie", "username=john green", "x-api-token", "abc", "REMOTE_ADDR", "127.0.0.1"),
                handshake.env().headers());
        assertEquals("rid", handshake.requestId());
    }

    @Test
    void tlsHopGivesHttpsAndEmptyHeadersAreOmitted() {
        Handshake handshake = reader(Map.of()).read(URI.create("wss://example.com/cable"), null,
                Map.of("host", List.of("example.com"), "cookie", List.of("")), null);
        assertEquals("https://example.com/cable", handshake.env().url());
        assertEquals(Map.of(), handshake.env().headers());
    }

    @Test
    void pingOverridesFromQuery() {
        HandshakeReader reader = reader(Map.of());
        Handshake custom = reader.read(URI.create("ws://h/cable?pi=1&ptp=ms"), "pi=1&ptp=ms", Map.of(), null);
        assertEquals(Duration.ofSeconds(1), custom.pingInterval());
        assertEquals(PingPrecision.MS, custom.pingPrecision());
        Handshake off = reader.read(URI.create("ws://h/cable?pi=0"), "pi=0", Map.of(), null);
        assertTrue(off.pingInterval().isZero());
        Handshake bad = reader.read(URI.create("ws://h/cable?pi=x&ptp=h"), "pi=x&ptp=h", Map.of(), null);
        assertEquals(Duration.ofSeconds(3), bad.pingInterval());
        assertEquals(PingPrecision.S, bad.pingPrecision());
    }

    @Test
    void proxyCookiesKeepsNamedCookiesWithTrimmedNamesAndValuesContainingEquals() {
        assertEquals("_session=a=b==; uid=7",
                HandshakeReader.filterCookies("other=1; _session=a=b==;  uid=7 ;x", List.of("_session", "uid")));
        Handshake handshake = reader(Map.of("ANYCABLE_PROXY_COOKIES", "uid")).read(URI.create("ws://h/cable"), null,
                Map.of("cookie", List.of("a=1; uid=2")), null);
        assertEquals("uid=2", handshake.env().headers().get("cookie"));
    }

    @Test
    void tokenIsReadOnlyWhenJwtIsOn() {
        Handshake handshake = reader(Map.of()).read(URI.create("ws://h/cable?jid=abc"), "jid=abc",
                Map.of("X-JID", List.of("def")), null);
        assertNull(handshake.token());
    }

    @Test
    void tokenComesFromTheHeaderThenTheQueryThenTheSubprotocolOffer() {
        HandshakeReader reader = reader(Map.of("ANYCABLE_SECRET", "s"));
        Map<String, List<String>> offer = Map.of("Sec-WebSocket-Protocol",
                List.of("actioncable-v1-json", " actioncable-v1-ext-json , anycable-token.from.sub-protocol"));
        Map<String, List<String>> all = new HashMap<>(offer);
        all.put("x-jid", List.of("from.header"));
        assertEquals("from.header", reader.read(URI.create("ws://h/cable?jid=from.query"), "jid=from.query", all, null)
                .token());
        assertEquals("from.query", reader.read(URI.create("ws://h/cable?jid=from.query"), "jid=from.query", offer, null)
                .token());
        assertEquals("from.sub-protocol", reader.read(URI.create("ws://h/cable?jid="), "jid=", offer, null).token());
        assertNull(reader.read(URI.create("ws://h/cable?jid="), "jid=", Map.of("X-Jid", List.of("")), null).token());
        assertEquals("a+b/c=", reader.read(URI.create("ws://h/cable?jid=a%2Bb%2Fc%3D"), "jid=a%2Bb%2Fc%3D", Map.of(),
                null).token(), "the query value is URL-decoded");
    }

    @Test
    void aTokenNotInTheUrlReachesTheApplicationAsTheHeader() {
        HandshakeReader reader = reader(Map.of("ANYCABLE_SECRET", "s", "ANYCABLE_HEADERS", "cookie"));
        Map<String, List<String>> offer = Map.of("Sec-WebSocket-Protocol", List.of("actioncable-v1-json, anycable-token.t1"));
        assertEquals("t1", reader.read(URI.create("ws://h/cable"), null, offer, null).env().headers().get("x-jid"));
        assertEquals("t2", reader.read(URI.create("ws://h/cable"), null, Map.of("X-JID", List.of("t2")), null)
                .env().headers().get("x-jid"));
        Handshake inUrl = reader.read(URI.create("ws://h/cable?jid=t3"), "jid=t3", Map.of(), null);
        assertEquals("t3", inUrl.token());
        assertEquals(Map.of(), inUrl.env().headers(), "a token in the URL reaches the application in the URL");
        assertEquals(Map.of(), reader(Map.of()).read(URI.create("ws://h/cable"), null, Map.of("X-JID", List.of("t4")),
                null).env().headers(), "JWT off: only ANYCABLE_HEADERS are forwarded");
    }

    @Test
    void tokenParamNamesTheQueryParameterAndTheHeader() {
        HandshakeReader reader = reader(Map.of("ANYCABLE_JWT_SECRET", "s", "ANYCABLE_JWT_PARAM", "token"));
        assertEquals("q", reader.read(URI.create("ws://h/cable?token=q&jid=other"), "token=q&jid=other", Map.of(), null)
                .token());
        assertEquals("h", reader.read(URI.create("ws://h/cable"), null, Map.of("X-Token", List.of("h"),
                "X-JID", List.of("other")), null).token());
    }

    @Test
    void handshakeToStringShowsNoCredential() {
        Handshake handshake = reader(Map.of("ANYCABLE_SECRET", "s")).read(URI.create("ws://h/cable?jid=PRIVATE"),
                "jid=PRIVATE", Map.of("cookie", List.of("session=PRIVATE")), null);
        assertEquals("PRIVATE", handshake.token());
        assertTrue(!handshake.toString().contains("PRIVATE"), handshake.toString());
    }
}
