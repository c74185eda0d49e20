package io.jcable.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ANYCABLE_RPC_HOST}: plain and {@code dns:///} targets, the static {@code grpc-list://} list, and
 * {@code http(s)://} base URLs for HTTP RPC.
 */
class RpcHostTest {

    private static RpcConfig rpc(String host) {
        return CableConfig.load(ConfigSource.of(Map.of("anycable.rpc_host", host)::get)).rpc();
    }

    @Test
    void grpcListGivesEveryAddressInOrder() {
        RpcConfig config = rpc("grpc-list://127.0.0.1:50051, app2.internal:50052,[::1]:50053");
        assertEquals("grpc-list://127.0.0.1:50051, app2.internal:50052,[::1]:50053", config.host());
        assertEquals(List.of(new RpcAddress("127.0.0.1", 50051), new RpcAddress("app2.internal", 50052),
                new RpcAddress("::1", 50053)), config.hostList());
        assertEquals("[::1]:50053", config.hostList().get(2).toString());
    }

    @Test
    void otherTargetsHaveNoList() {
        assertEquals(List.of(), rpc("localhost:50051").hostList());
        assertEquals(List.of(), rpc("dns:///app:50051").hostList());
    }

    @Test
    void anHttpUrlSelectsHttpRpc() {
        for (String url : List.of("http://localhost:3000/_anycable", "https://app.example.com/_anycable/",
                "http://[::1]:9292", "http://h:1/rpc?tenant=a")) {
            RpcConfig config = rpc(url);
            assertTrue(config.http(), url);
            assertEquals(url, config.host());
            assertEquals(List.of(), config.hostList());
        }
        assertFalse(rpc("localhost:50051").http());
        assertFalse(rpc("grpc-list://h1:1,h2:2").http());
    }

    @Test
    void aBadHttpUrlStopsTheStartWithoutShowingCredentials() {
        Map<String, String> bad = Map.of(
                "http://", "ANYCABLE_RPC_HOST=http://: not a valid URL: ",
                "http:///_anycable", "ANYCABLE_RPC_HOST=http:///_anycable: an HTTP RPC URL needs a host",
                "http://h/a b", "ANYCABLE_RPC_HOST=http://h/a b: not a valid URL: ",
                "http://h/_anycable#x", "ANYCABLE_RPC_HOST=http://h/_anycable#x: an HTTP RPC URL has no #fragment",
                "https://user:hunter2@h/_anycable", "ANYCABLE_RPC_HOST=https://***@h/_anycable: credentials in the URL");
        bad.forEach((url, message) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> rpc(url), url);
            assertTrue(e.getMessage().startsWith(message), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        });
    }

    @Test
    void loggedUrlsShowNoCredentialsAndNoQuery() {
        assertEquals("https://***@h/_anycable?***", CableConfig.maskedUrl("https://u:p@h/_anycable?token=t"));
        assertEquals("redis://***@localhost:6379/0", CableConfig.maskedUrl("redis://:pw@localhost:6379/0"));
        assertEquals("http://localhost:3000/_anycable", CableConfig.maskedUrl("http://localhost:3000/_anycable"));
    }

    @Test
    void aBadListStopsTheStartNamingTheOption() {
        for (String bad : List.of("grpc-list://", "grpc-list://h1", "grpc-list://h1:", "grpc-list://h1:0",
                "grpc-list://h1:65536", "grpc-list://h1:p", "grpc-list://h1:1,,h2:2", "grpc-list://h1:1,",
                "grpc-list://::1:5", "grpc-list://h 1:5", "grpc-list://h1/x:5", "grpc-list://:5")) {
            ConfigException e = assertThrows(ConfigException.class, () -> rpc(bad), bad);
            assertTrue(e.getMessage().startsWith("ANYCABLE_RPC_HOST=" + bad + ": "), e.getMessage());
        }
    }
}
