package io.jcable.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The auth and standalone options of docs/config.md: fallbacks to the master secret, legacy names, modes. */
class AuthConfigTest {

    private static CableConfig load(Map<String, String> env) {
        return CableConfig.load(new ConfigSource(name -> null, env, name -> null));
    }

    @Test
    void everythingIsOffByDefault() {
        AuthConfig auth = load(Map.of()).auth();
        assertEquals(new AuthConfig(null, "jid", false, null, false, false, true, null, null, false, false, false, DemoMode.OFF),
                auth);
        assertFalse(auth.jwt());
    }

    @Test
    void theMasterSecretIsTheJwtAndStreamsSecretItself() {
        CableConfig config = load(Map.of("ANYCABLE_SECRET", "master", "ANYCABLE_TURBO_STREAMS", "true",
                "ANYCABLE_CABLE_READY", "true"));
        AuthConfig auth = config.auth();
        assertEquals("master", auth.jwtSecret());
        assertEquals("master", auth.streamsSecret());
        assertEquals("master", auth.turboSecret());
        assertEquals("master", auth.cableReadySecret());
        assertEquals(CableConfig.hmacHex("master", "broadcast-cable"), config.broadcast().broadcastKey());
    }

    @Test
    void eachSecretCanBeSetOnItsOwnAndTurboAndCableReadyFallBackToTheStreamsSecret() {
        AuthConfig auth = load(Map.of("ANYCABLE_SECRET", "master", "ANYCABLE_JWT_SECRET", "jwt",
                "ANYCABLE_STREAMS_SECRET", "streams", "ANYCABLE_TURBO_STREAMS", "true", "ANYCABLE_CABLE_READY", "1",
                "ANYCABLE_CABLE_READY_SECRET", "cr")).auth();
        assertEquals("jwt", auth.jwtSecret());
        assertEquals("streams", auth.streamsSecret());
        assertEquals("streams", auth.turboSecret());
        assertEquals("cr", auth.cableReadySecret());
        assertNull(load(Map.of("ANYCABLE_TURBO_STREAMS_SECRET", "t")).auth().turboSecret(),
                "a Turbo secret alone does not turn Turbo on");
    }

    @Test
    void legacyNamesStillWorkAndTheNewNamesWin() {
        ConfigSource source = new ConfigSource(name -> null, Map.of("ANYCABLE_JWT_ID_KEY", "old-jwt",
                "ANYCABLE_JWT_ID_PARAM", "token", "ANYCABLE_JWT_ID_ENFORCE", "true",
                "ANYCABLE_TURBO_RAILS_KEY", "turbo-key", "ANYCABLE_CABLE_READY_KEY", "cr-key"), name -> null);
        AuthConfig auth = CableConfig.load(source).auth();
        assertEquals("old-jwt", auth.jwtSecret());
        assertEquals("token", auth.jwtParam());
        assertTrue(auth.enforceJwt());
        assertEquals("turbo-key", auth.turboSecret(), "the legacy Turbo key turns Turbo on");
        assertEquals("cr-key", auth.cableReadySecret(), "the legacy CableReady key turns CableReady on");
        assertEquals(Map.of(), source.unusedEnvironment(), "legacy names are not reported as unsupported");

        AuthConfig both = load(Map.of("ANYCABLE_JWT_ID_KEY", "old", "ANYCABLE_JWT_SECRET", "new",
                "ANYCABLE_JWT_ID_PARAM", "old_param", "ANYCABLE_JWT_PARAM", "new_param",
                "ANYCABLE_JWT_ID_ENFORCE", "true", "ANYCABLE_ENFORCE_JWT", "false")).auth();
        assertEquals("new", both.jwtSecret());
        assertEquals("new_param", both.jwtParam());
        assertFalse(both.enforceJwt());
    }

    @Test
    void noneMeansUnset() {
        AuthConfig auth = load(Map.of("ANYCABLE_SECRET", "master", "ANYCABLE_JWT_SECRET", "none")).auth();
        assertEquals("master", auth.jwtSecret());
        assertNull(load(Map.of("ANYCABLE_SECRET", "none")).auth().jwtSecret());
    }

    @Test
    void publicModeIsNoauthPlusPublicStreamsPlusAnOpenBroadcastEndpoint() {
        CableConfig config = load(Map.of("ANYCABLE_PUBLIC", "true", "ANYCABLE_SECRET", "master",
                "ANYCABLE_BROADCAST_KEY", "explicit"));
        assertTrue(config.auth().publicMode());
        assertTrue(config.auth().noAuth());
        assertTrue(config.auth().publicStreams());
        assertNull(config.broadcast().broadcastKey());
        assertTrue(config.broadcast().broadcastOpen());
        assertEquals("master", config.auth().jwtSecret(), "JWT still identifies clients that send a token");
    }

    @Test
    void noRpcMeansNoDisconnectCalls() {
        CableConfig config = load(Map.of("ANYCABLE_NORPC", "true", "ANYCABLE_DISCONNECT_MODE", "always"));
        assertTrue(config.auth().noRpc());
        assertEquals(DisconnectMode.NEVER, config.rpc().disconnectMode());
    }

    @Test
    void demoModeIsPublicModeWithoutRpc() {
        CableConfig config = load(Map.of("JCABLE_DEMO", "true"));
        assertEquals(DemoMode.ON, config.auth().demo());
        assertTrue(config.auth().publicMode());
        assertTrue(config.auth().noAuth());
        assertTrue(config.auth().publicStreams());
        assertTrue(config.auth().noRpc());
        assertEquals(DisconnectMode.NEVER, config.rpc().disconnectMode());
        assertNull(config.broadcast().broadcastKey());
        assertTrue(config.broadcast().broadcastOpen());
    }

    @Test
    void demoModeNeverStartsNextToAnApplication() {
        for (Map<String, String> env : List.of(Map.of("JCABLE_DEMO", "true", "ANYCABLE_RPC_HOST", "127.0.0.1:50051"),
                Map.of("JCABLE_DEMO", "true", "ANYCABLE_SECRET", "master"),
                Map.of("JCABLE_DEMO", "true", "ANYCABLE_SECRET", "none"))) {
            CableConfig config = load(env);
            assertEquals(DemoMode.REFUSED, config.auth().demo(), env.toString());
            assertFalse(config.auth().publicMode(), env.toString());
            assertFalse(config.auth().noAuth(), env.toString());
            assertFalse(config.auth().noRpc(), env.toString());
            assertFalse(config.broadcast().broadcastOpen(), env.toString());
        }
        assertEquals(DemoMode.OFF, load(Map.of("JCABLE_DEMO", "false")).auth().demo());
        assertEquals("JCABLE_DEMO=yes: must be true or false",
                assertThrows(ConfigException.class, () -> load(Map.of("JCABLE_DEMO", "yes"))).getMessage());
    }

    @Test
    void switchesThatNeedASecretFailWithoutOne() {
        assertEquals("ANYCABLE_ENFORCE_JWT=true: needs a JWT secret: set ANYCABLE_JWT_SECRET or ANYCABLE_SECRET",
                assertThrows(ConfigException.class, () -> load(Map.of("ANYCABLE_ENFORCE_JWT", "true"))).getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> load(Map.of("ANYCABLE_TURBO_STREAMS", "true")))
                .getMessage().startsWith("ANYCABLE_TURBO_STREAMS=true: needs a secret"));
        assertTrue(assertThrows(ConfigException.class, () -> load(Map.of("ANYCABLE_CABLE_READY", "true")))
                .getMessage().startsWith("ANYCABLE_CABLE_READY=true: needs a secret"));
        assertEquals("ANYCABLE_NOAUTH=maybe: must be true or false",
                assertThrows(ConfigException.class, () -> load(Map.of("ANYCABLE_NOAUTH", "maybe"))).getMessage());
    }

    @Test
    void toStringShowsNoSecret() {
        String text = load(Map.of("ANYCABLE_SECRET", "master-PRIVATE", "ANYCABLE_JWT_SECRET", "jwt-PRIVATE",
                "ANYCABLE_TURBO_STREAMS", "true", "ANYCABLE_CABLE_READY_KEY", "cr-PRIVATE")).auth().toString();
        assertFalse(text.contains("PRIVATE"), text);
        assertTrue(text.contains("jwt=true") && text.contains("turboStreams=true") && text.contains("cableReady=true"),
                text);
    }
}
