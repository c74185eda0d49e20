package io.jcable.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jcable.config.AuthConfig;
import io.jcable.config.CableConfig;
import io.jcable.config.ConfigSource;
import io.jcable.config.PingPrecision;
import io.jcable.rpc.CommandRequest;
import io.jcable.rpc.CommandResult;
import io.jcable.rpc.ConnectResult;
import io.jcable.rpc.RequestEnv;
import io.jcable.rpc.RpcStatus;
import io.jcable.session.Handshake;
import io.jcable.testing.Signing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the server answers itself, per mode and channel; the wire-level behaviour is in it/StandaloneModeTest. */
class StandaloneAnswersTest {
    private static final long NOW = 1_700_000_000L;
    private static final String SID = "sid-1";
    private static final String IDENTIFIERS = "{\"user\":\"gid://app/User/1\"}";
    private static final RequestEnv ENV = new RequestEnv("http://h/cable", Map.of());

    private static StandaloneAnswers answers(Map<String, String> env) {
        AuthConfig auth = CableConfig.load(new ConfigSource(name -> null, env, name -> null)).auth();
        return new StandaloneAnswers(auth, Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
    }

    private static Handshake handshake(String token) {
        return new Handshake(ENV, Duration.ofSeconds(3), PingPrecision.S, null, token);
    }

    private static CommandResult command(StandaloneAnswers answers, String command, String identifier) {
        return answers.command(new CommandRequest(command, identifier, "", command.equals("message") ? "{}" : "", ENV,
                Map.of(), Map.of()));
    }

    private static ConnectResult refused(String reason, String why) {
        return new ConnectResult(RpcStatus.FAILURE, "",
                List.of("{\"type\":\"disconnect\",\"reason\":\"" + reason + "\",\"reconnect\":false}"), Map.of(), why);
    }

    private static CommandResult confirmed(String identifier, String stream, Map<String, String> istate) {
        return new CommandResult(RpcStatus.SUCCESS, false, false, List.of(stream), List.of(),
                List.of("{\"type\":\"confirm_subscription\",\"identifier\":" + quote(identifier) + "}"), Map.of(),
                istate, "");
    }

    private static CommandResult rejected(String identifier, String why) {
        return CommandResult.failure(List.of("{\"identifier\":" + quote(identifier) + ",\"type\":\"reject_subscription\"}"),
                why);
    }

    private static String pubsub(String key, String value) {
        return "{\"channel\":\"$pubsub\",\"" + key + "\":" + quote(value) + "}";
    }

    @Test
    void withoutStandaloneOptionsConnectAndChannelsGoToTheApplication() {
        StandaloneAnswers answers = answers(Map.of());
        assertNull(answers.connect(SID, handshake(null)));
        assertNull(answers.connect(SID, handshake("a.token.nobody.checks")));
        assertNull(command(answers, "subscribe", "{\"channel\":\"ChatChannel\",\"room\":\"$pubsub\"}"));
        assertNull(command(answers, "subscribe", "{\"channel\":\"Turbo::StreamsChannel\",\"signed_stream_name\":\"x\"}"));
        assertNull(command(answers, "subscribe", "{\"channel\":\"\\u0024pubsub\",\"stream_name\":\"x\"}"),
                "an escaped name is not the reserved channel: the application decides");
        assertNull(command(answers, "subscribe", "$pubsub, but not JSON"));
    }

    @Test
    void jwtIdentifiesRefusesOrPassesThrough() {
        StandaloneAnswers answers = answers(Map.of("ANYCABLE_SECRET", "secret"));
        assertEquals(new ConnectResult(RpcStatus.SUCCESS, IDENTIFIERS, List.of("{\"type\":\"welcome\",\"sid\":\"sid-1\"}"),
                Map.of(), ""), answers.connect(SID, handshake(Signing.anycableJwt("secret", IDENTIFIERS, NOW + 60))));
        assertEquals(refused("token_expired", "token expired"),
                answers.connect(SID, handshake(Signing.anycableJwt("secret", IDENTIFIERS, NOW - 60))));
        assertEquals(refused("unauthorized", "invalid token: bad signature"),
                answers.connect(SID, handshake(Signing.anycableJwt("other", IDENTIFIERS, NOW + 60))));
        assertNull(answers.connect(SID, handshake(null)), "no token: the application's Connect");
        assertEquals(refused("unauthorized", "no token (ANYCABLE_ENFORCE_JWT)"),
                answers(Map.of("ANYCABLE_SECRET", "secret", "ANYCABLE_ENFORCE_JWT", "true")).connect(SID, handshake(null)));
    }

    @Test
    void noauthLetsEverySocketInAsItsSidButATokenStillCounts() {
        StandaloneAnswers answers = answers(Map.of("ANYCABLE_NOAUTH", "true", "ANYCABLE_JWT_SECRET", "secret"));
        assertEquals(new ConnectResult(RpcStatus.SUCCESS, "{\"sid\":\"sid-1\"}",
                List.of("{\"type\":\"welcome\",\"sid\":\"sid-1\"}"), Map.of(), ""), answers.connect(SID, handshake(null)));
        assertEquals(RpcStatus.FAILURE, answers.connect(SID, handshake("garbage")).status());
        assertEquals(IDENTIFIERS, answers.connect(SID,
                handshake(Signing.anycableJwt("secret", IDENTIFIERS, NOW + 60))).identifiers());
    }

    @Test
    void pubsubSignedStreamsWithPresenceByDefaultAndWhisperWhenAsked() {
        String id = pubsub("signed_stream_name", Signing.signedStream("streams", "chat/1"));
        assertEquals(confirmed(id, "chat/1", Map.of("$p", "chat/1")),
                command(answers(Map.of("ANYCABLE_STREAMS_SECRET", "streams")), "subscribe", id));
        assertEquals(confirmed(id, "chat/1", Map.of("$w", "chat/1")), command(answers(Map.of(
                "ANYCABLE_STREAMS_SECRET", "streams", "ANYCABLE_STREAMS_WHISPER", "true",
                "ANYCABLE_STREAMS_PRESENCE", "false")), "subscribe", id));
        assertEquals(rejected(id, "$pubsub: signed stream name: bad signature"),
                command(answers(Map.of("ANYCABLE_STREAMS_SECRET", "other")), "subscribe", id));
        assertEquals(rejected(id, "$pubsub: no streams secret (ANYCABLE_STREAMS_SECRET or ANYCABLE_SECRET)"),
                command(answers(Map.of()), "subscribe", id));
    }

    @Test
    void pubsubPublicStreamsOnlyWhenAllowedAndAlwaysWithWhisperAndPresence() {
        String id = pubsub("stream_name", "lobby");
        assertEquals(rejected(id, "$pubsub: public streams are off (ANYCABLE_PUBLIC_STREAMS)"),
                command(answers(Map.of("ANYCABLE_SECRET", "s")), "subscribe", id));
        assertEquals(confirmed(id, "lobby", Map.of("$w", "lobby", "$p", "lobby")),
                command(answers(Map.of("ANYCABLE_PUBLIC_STREAMS", "true", "ANYCABLE_STREAMS_PRESENCE", "false")),
                        "subscribe", id));
        String neither = "{\"channel\":\"$pubsub\",\"stream_name\":42}";
        assertEquals(rejected(neither, "$pubsub: neither stream_name nor signed_stream_name"),
                command(answers(Map.of("ANYCABLE_PUBLIC_STREAMS", "true")), "subscribe", neither));
    }

    @Test
    void turboAndCableReadyAreServedOnlyWhenOn() {
        String turbo = "{\"channel\":\"Turbo::StreamsChannel\",\"signed_stream_name\":"
                + quote(Signing.signedStream("turbo", "gid://app/Room/1")) + "}";
        String cableReady = "{\"channel\":\"CableReady::Stream\",\"identifier\":"
                + quote(Signing.signedStream("cr", "room_1")) + "}";
        StandaloneAnswers on = answers(Map.of("ANYCABLE_TURBO_STREAMS_SECRET", "turbo", "ANYCABLE_TURBO_STREAMS", "true",
                "ANYCABLE_CABLE_READY_KEY", "cr"));
        assertEquals(confirmed(turbo, "gid://app/Room/1", Map.of()), command(on, "subscribe", turbo));
        assertEquals(confirmed(cableReady, "room_1", Map.of()), command(on, "subscribe", cableReady));
        String unsigned = "{\"channel\":\"Turbo::StreamsChannel\",\"stream_name\":\"gid://app/Room/1\"}";
        assertEquals(rejected(unsigned, "Turbo::StreamsChannel: no signed stream name"), command(on, "subscribe", unsigned));
        StandaloneAnswers off = answers(Map.of("ANYCABLE_SECRET", "turbo"));
        assertNull(command(off, "subscribe", turbo));
        assertNull(command(off, "subscribe", cableReady));
    }

    @Test
    void unsubscribeOnlyDetachesAndActionsAreRefused() {
        StandaloneAnswers answers = answers(Map.of("ANYCABLE_PUBLIC_STREAMS", "true"));
        String id = pubsub("stream_name", "lobby");
        assertEquals(new CommandResult(RpcStatus.SUCCESS, false, true, List.of(), List.of(), List.of(), Map.of(),
                Map.of(), ""), command(answers, "unsubscribe", id));
        assertEquals(CommandResult.failure(List.of(), "$pubsub: no actions on a stream the server serves itself"),
                command(answers, "message", id));
    }

    private static String quote(String text) {
        return new com.google.gson.JsonPrimitive(text).toString();
    }
}
