package io.jcable.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ANYCABLE_RPC_HOST}: plain and {@code dns:///} targets, and the static {@code grpc-list://} list. */
class RpcHostTest {

    /** Only the given host: none of the JVM's own properties or environment (a developer's shell may set it). */
    private static RpcConfig rpc(String host) {
        return CableConfig.load(new ConfigSource(name -> null, Map.of(), Map.of("anycable.rpc_host", host)::get)).rpc();
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
    void aBadListStopsTheStartNamingTheOption() {
        for (String bad : List.of("grpc-list://", "grpc-list://h1", "grpc-list://h1:", "grpc-list://h1:0",
                "grpc-list://h1:65536", "grpc-list://h1:p", "grpc-list://h1:1,,h2:2", "grpc-list://h1:1,",
                "grpc-list://::1:5", "grpc-list://h 1:5", "grpc-list://h1/x:5", "grpc-list://:5")) {
            ConfigException e = assertThrows(ConfigException.class, () -> rpc(bad), bad);
            assertTrue(e.getMessage().startsWith("ANYCABLE_RPC_HOST=" + bad + ": "), e.getMessage());
        }
    }
}
