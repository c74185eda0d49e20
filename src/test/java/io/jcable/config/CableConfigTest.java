package io.jcable.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CableConfigTest {

    private static CableConfig load(Map<String, String> sysProps, Map<String, String> env, Map<String, String> init) {
        return CableConfig.load(new ConfigSource(sysProps::get, env, init::get));
    }

    @Test
    void defaultsMatchAnycableGo() {
        CableConfig config = load(Map.of(), Map.of(), Map.of());
        assertEquals(List.of("/cable"), config.server().paths());
        assertEquals(Duration.ofSeconds(3), config.server().pingInterval());
        assertEquals(65536, config.server().maxMessageSize());
        assertEquals("localhost:50051", config.rpc().host());
        assertEquals(28, config.rpc().concurrency());
        assertEquals(List.of("cookie"), config.rpc().headers());
        assertEquals(DisconnectMode.AUTO, config.rpc().disconnectMode());
        assertEquals(Set.of("http", "redis"), config.broadcast().adapters());
        assertEquals("redis://localhost:6379", config.broadcast().redisUrl());
        assertEquals("__anycable__", config.broadcast().redisChannel());
        assertEquals(Duration.ofSeconds(30), config.shutdownTimeout());
    }

    @Test
    void systemPropertyBeatsEnvironmentWhichBeatsInitParameter() {
        Map<String, String> init = Map.of("anycable.rpc_host", "init:1", "anycable.redis_channel", "from_init",
                "anycable.ping_interval", "7");
        Map<String, String> env = Map.of("ANYCABLE_RPC_HOST", "env:1", "ANYCABLE_REDIS_CHANNEL", "from_env");
        Map<String, String> sys = Map.of("anycable.rpc_host", "sys:1");
        CableConfig config = load(sys, env, init);
        assertEquals("sys:1", config.rpc().host());
        assertEquals("from_env", config.broadcast().redisChannel());
        assertEquals(Duration.ofSeconds(7), config.server().pingInterval());
    }

    @Test
    void listsAreTrimmedAndHeadersLowerCased() {
        CableConfig config = load(Map.of(), Map.of("ANYCABLE_HEADERS", " Cookie , X-Api-Token ",
                "ANYCABLE_PATH", "/cable, /ws"), Map.of());
        assertEquals(List.of("cookie", "x-api-token"), config.rpc().headers());
        assertEquals(List.of("/cable", "/ws"), config.server().paths());
    }

    @Test
    void redisUrlFallsBackToRedisUrlAndLegacyDisableDisconnectMeansNever() {
        CableConfig config = load(Map.of(), Map.of("REDIS_URL", "redis://r:1", "ANYCABLE_DISABLE_DISCONNECT", "1"),
                Map.of());
        assertEquals("redis://r:1", config.broadcast().redisUrl());
        assertEquals(DisconnectMode.NEVER, config.rpc().disconnectMode());
    }

    @Test
    void broadcastKeyIsDerivedFromTheSecretUnlessNone() {
        CableConfig derived = load(Map.of(), Map.of("ANYCABLE_SECRET", "s3Krit"), Map.of());
        assertEquals(CableConfig.hmacHex("s3Krit", "broadcast-cable"), derived.broadcast().broadcastKey());
        assertEquals(64, derived.broadcast().broadcastKey().length());
        CableConfig none = load(Map.of(), Map.of("ANYCABLE_SECRET", "s3Krit", "ANYCABLE_BROADCAST_KEY", "none"),
                Map.of());
        assertEquals(null, none.broadcast().broadcastKey());
    }

    @Test
    void badValuesFailNamingTheOption() {
        assertMessage("ANYCABLE_RPC_CONCURRENCY", Map.of("ANYCABLE_RPC_CONCURRENCY", "lots"));
        assertMessage("ANYCABLE_PING_INTERVAL", Map.of("ANYCABLE_PING_INTERVAL", "0"));
        assertMessage("ANYCABLE_DISCONNECT_MODE", Map.of("ANYCABLE_DISCONNECT_MODE", "sometimes"));
        assertMessage("ANYCABLE_BROADCAST_ADAPTER", Map.of("ANYCABLE_BROADCAST_ADAPTER", "kafka"));
        assertMessage("ANYCABLE_REDIS_URL", Map.of("ANYCABLE_REDIS_URL", "localhost:6379"));
        assertMessage("ANYCABLE_PATH", Map.of("ANYCABLE_PATH", "cable"));
        assertMessage("JCABLE_SID_FROM_REQUEST_ID", Map.of("JCABLE_SID_FROM_REQUEST_ID", "maybe"));
        assertMessage("ANYCABLE_RPC_HOST", Map.of("ANYCABLE_RPC_HOST", "http://localhost:3000/_anycable"));
    }

    @Test
    void containerOwnedOptionsAreReportedAsIgnoredAndUnknownVariablesAsUnused() {
        ConfigSource source = new ConfigSource(k -> null,
                Map.of("ANYCABLE_PORT", "8081", "ANYCABLE_FANCY", "1", "ANYCABLE_RPC_HOST", "h:1"), k -> null);
        CableConfig config = CableConfig.load(source);
        assertEquals(List.of("ANYCABLE_PORT"), config.ignored());
        assertTrue(source.unusedEnvironment().containsKey("ANYCABLE_FANCY"));
        assertTrue(!source.unusedEnvironment().containsKey("ANYCABLE_RPC_HOST"));
    }

    private static void assertMessage(String option, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), env, Map.of()));
        assertTrue(e.getMessage().startsWith(option), e.getMessage());
    }
}
