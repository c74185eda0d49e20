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
        assertEquals("redis://localhost:6379", config.redis().url());
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
        assertEquals("redis://r:1", config.redis().url());
        assertEquals(DisconnectMode.NEVER, config.rpc().disconnectMode());
    }

    @Test
    void explicitlyEmptyListsAreEmptyWhileUnsetListsTakeTheirDefault() {
        CableConfig empty = load(Map.of(), Map.of("ANYCABLE_HEADERS", "", "ANYCABLE_BROADCAST_ADAPTER", " ",
                "ANYCABLE_ALLOWED_ORIGINS", "", "ANYCABLE_PROXY_COOKIES", ""), Map.of());
        assertEquals(List.of(), empty.rpc().headers());
        assertEquals(Set.of(), empty.broadcast().adapters());
        assertEquals(List.of(), empty.server().allowedOrigins());
        assertEquals(List.of(), empty.rpc().proxyCookies());
        // the first source that sets the option wins, even with an empty value
        assertEquals(List.of(), load(Map.of("anycable.headers", ""), Map.of("ANYCABLE_HEADERS", "x-api-token"),
                Map.of()).rpc().headers());
        assertEquals(List.of(), load(Map.of(), Map.of(), Map.of("anycable.headers", "")).rpc().headers());
        assertEquals(List.of("cookie"), load(Map.of(), Map.of(), Map.of()).rpc().headers());
        // a blank scalar still means unset
        CableConfig blankScalars = load(Map.of(), Map.of("ANYCABLE_RPC_HOST", "", "ANYCABLE_PING_INTERVAL", " "), Map.of());
        assertEquals("localhost:50051", blankScalars.rpc().host());
        assertEquals(Duration.ofSeconds(3), blankScalars.server().pingInterval());
    }

    @Test
    void pathOptionsMustStartWithASlash() {
        assertMessage("ANYCABLE_PATH=cable: must be a path starting with /", Map.of("ANYCABLE_PATH", "/cable,cable"));
        assertMessage("ANYCABLE_PATH=: must name at least one path", Map.of("ANYCABLE_PATH", ""));
        assertMessage("ANYCABLE_HEALTH_PATH=health: must be a path", Map.of("ANYCABLE_HEALTH_PATH", "health"));
        assertMessage("ANYCABLE_HTTP_BROADCAST_PATH=_broadcast: must be a path",
                Map.of("ANYCABLE_HTTP_BROADCAST_PATH", "_broadcast"));
        assertMessage("ANYCABLE_METRICS_HTTP=metrics: must be a path", Map.of("ANYCABLE_METRICS_HTTP", "metrics"));
        CableConfig custom = load(Map.of(), Map.of("ANYCABLE_HEALTH_PATH", "/up", "ANYCABLE_HTTP_BROADCAST_PATH", "/pub",
                "ANYCABLE_METRICS_HTTP", "/m"), Map.of());
        assertEquals("/up", custom.server().healthPath());
        assertEquals("/pub", custom.broadcast().httpPath());
        assertEquals("/m", custom.server().metricsPath());
        assertEquals(null, load(Map.of(), Map.of(), Map.of()).server().metricsPath());
    }

    @Test
    void broadcastKeyIsDerivedFromTheSecretUnlessNone() {
        CableConfig derived = load(Map.of(), Map.of("ANYCABLE_SECRET", "s3Krit"), Map.of());
        // known answer: printf broadcast-cable | openssl dgst -sha256 -hmac s3Krit
        assertEquals("a239a7ca182c90fc32bdedf73703d271388cf433843affffd3a5e757041fc716",
                derived.broadcast().broadcastKey());
        CableConfig none = load(Map.of(), Map.of("ANYCABLE_SECRET", "s3Krit", "ANYCABLE_BROADCAST_KEY", "none"),
                Map.of());
        assertEquals(null, none.broadcast().broadcastKey());
    }

    @Test
    void httpRpcKeyIsItsOwnOptionElseDerivedFromTheSecretUnlessNone() {
        // known answer: printf rpc-cable | openssl dgst -sha256 -hmac s3Krit
        assertEquals("08ac56f1562c6377ddd5d2d55cee2e35e117a55959d6a6ea3a63548ef0a7e559",
                load(Map.of(), Map.of("ANYCABLE_SECRET", "s3Krit"), Map.of()).rpc().httpKey());
        assertEquals("own-key", load(Map.of(), Map.of("ANYCABLE_SECRET", "s3Krit", "ANYCABLE_HTTP_RPC_SECRET", "own-key"),
                Map.of()).rpc().httpKey());
        assertEquals(null, load(Map.of(), Map.of("ANYCABLE_SECRET", "s3Krit", "ANYCABLE_HTTP_RPC_SECRET", "none"),
                Map.of()).rpc().httpKey());
        assertEquals(null, load(Map.of(), Map.of(), Map.of()).rpc().httpKey());
        // ANYCABLE_SECRET=none is no secret: nothing is derived from the word
        assertEquals(null, load(Map.of(), Map.of("ANYCABLE_SECRET", "none"), Map.of()).rpc().httpKey());
    }

    @Test
    void anHttpRpcKeyThatCannotGoInAHeaderStopsAnHttpRpcStartWithoutShowingIt() {
        for (String key : List.of("tab\tkey", "caf\u00e9", "line\nbreak")) {
            ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(),
                    Map.of("ANYCABLE_RPC_HOST", "http://app/_anycable", "ANYCABLE_HTTP_RPC_SECRET", key), Map.of()));
            assertTrue(e.getMessage().startsWith("ANYCABLE_HTTP_RPC_SECRET: "), e.getMessage());
            assertTrue(!e.getMessage().contains(key), e.getMessage());
            // unused over gRPC, so not refused there
            assertEquals(key, load(Map.of(), Map.of("ANYCABLE_HTTP_RPC_SECRET", key), Map.of()).rpc().httpKey());
        }
        assertEquals("two words", load(Map.of(), Map.of("ANYCABLE_RPC_HOST", "http://app/_anycable",
                "ANYCABLE_HTTP_RPC_SECRET", "two words"), Map.of()).rpc().httpKey());
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
    }

    @Test
    void thePubSubFollowsTheRedisUrlAndRedisxUnlessSetAndEveryAdapterIsKnown() {
        assertEquals(PubSubKind.NONE, load(Map.of(), Map.of(), Map.of()).broadcast().pubsub());
        assertEquals(PubSubKind.REDIS, load(Map.of(), Map.of("REDIS_URL", "redis://r:1"), Map.of()).broadcast().pubsub());
        assertEquals(PubSubKind.REDIS, load(Map.of(), Map.of("ANYCABLE_BROADCAST_ADAPTER", "redisx"), Map.of())
                .broadcast().pubsub());
        CableConfig nats = load(Map.of(), Map.of("ANYCABLE_REDIS_URL", "redis://r:1", "ANYCABLE_PUBSUB", "nats",
                "ANYCABLE_BROADCAST_ADAPTER", "http,redis,redisx,nats", "ANYCABLE_NATS_SERVERS",
                "nats://a:4222, nats://b:4222", "ANYCABLE_NODE_ID", "n1"), Map.of());
        assertEquals(PubSubKind.NATS, nats.broadcast().pubsub());
        assertEquals(Set.of("http", "redis", "redisx", "nats"), nats.broadcast().adapters());
        assertEquals(List.of("nats://a:4222", "nats://b:4222"), nats.nats().servers());
        assertEquals("n1", nats.broadcast().nodeId());
        assertEquals(6, load(Map.of(), Map.of(), Map.of()).broadcast().nodeId().length());
    }

    @Test
    void sentinelsAndNatsServersAreChecked() {
        CableConfig sentinels = load(Map.of(), Map.of("ANYCABLE_REDIS_URL", "redis://:pw@mymaster",
                "ANYCABLE_REDIS_SENTINELS", "s1:26379,s2:26380"), Map.of());
        assertEquals(List.of("s1:26379", "s2:26380"), sentinels.redis().sentinels());
        assertMessage("ANYCABLE_REDIS_SENTINELS=s1: each sentinel must be host:port",
                Map.of("ANYCABLE_REDIS_SENTINELS", "s1"));
        assertMessage("ANYCABLE_NATS_SERVERS=localhost:4222", Map.of("ANYCABLE_NATS_SERVERS", "localhost:4222"));
        assertMessage("ANYCABLE_PUBSUB=kafka", Map.of("ANYCABLE_PUBSUB", "kafka"));
    }

    @Test
    void metricsTagsAreNameValuePairsWithPrometheusLabelNames() {
        assertEquals(Map.of(), load(Map.of(), Map.of(), Map.of()).server().metricsTags());
        assertEquals(Map.of("env", "prod", "region", "eu-west:1"), load(Map.of(),
                Map.of("ANYCABLE_METRICS_TAGS", " env:prod , region:eu-west:1"), Map.of()).server().metricsTags());
        assertMessage("ANYCABLE_METRICS_TAGS=env: each tag must be name:value",
                Map.of("ANYCABLE_METRICS_TAGS", "env"));
        assertMessage("ANYCABLE_METRICS_TAGS=1env:x", Map.of("ANYCABLE_METRICS_TAGS", "1env:x"));
        assertMessage("ANYCABLE_METRICS_TAGS=__name__:x", Map.of("ANYCABLE_METRICS_TAGS", "__name__:x"));
        assertMessage("ANYCABLE_METRICS_TAGS=env:b: tag env is given twice",
                Map.of("ANYCABLE_METRICS_TAGS", "env:a,env:b"));
        assertMessage("ANYCABLE_METRICS_TAGS=method:x: tag method is given twice or used by jcable's metrics",
                Map.of("ANYCABLE_METRICS_TAGS", "method:x"));
    }

    @Test
    void containerOwnedOptionsAreReportedAsIgnoredAndUnknownVariablesAsUnused() {
        ConfigSource source = new ConfigSource(k -> null, Map.of("ANYCABLE_PORT", "8081", "PORT", "8082",
                "ANYCABLE_HTTP_BROADCAST_PORT", "8090", "ANYCABLE_FANCY", "1", "ANYCABLE_RPC_HOST", "h:1"), k -> null);
        CableConfig config = CableConfig.load(source);
        assertEquals(List.of("ANYCABLE_PORT", "ANYCABLE_HTTP_BROADCAST_PORT", "PORT"), config.ignored());
        assertTrue(source.unusedEnvironment().containsKey("ANYCABLE_FANCY"));
        assertTrue(!source.unusedEnvironment().containsKey("ANYCABLE_RPC_HOST"));
    }

    private static void assertMessage(String option, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of(), env, Map.of()));
        assertTrue(e.getMessage().startsWith(option), e.getMessage());
    }
}
