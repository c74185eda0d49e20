package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;

import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * A cluster of jcable nodes on one private Redis with {@code ANYCABLE_BROKER=redis} (pub/sub over Redis,
 * broadcasts over HTTP and redisx) and the fake app publishing through that Redis. A test class starts its nodes
 * with {@link #node} in its own {@code @BeforeAll}; they are stopped with the cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RedisBrokerNodes {
    static final CableClient.Options EXT = CableClient.Options.defaults()
            .withSubprotocols("actioncable-v1-ext-json").ignoring("ping");
    final NodesSupport clients = new NodesSupport();
    RedisServer redis;
    FakeRpcApp app;
    private final String sessionsTtl;
    private final List<CableServer> nodes = new ArrayList<>();

    /** @param sessionsTtl {@code ANYCABLE_SESSIONS_TTL} of every node, seconds */
    RedisBrokerNodes(String sessionsTtl) {
        this.sessionsTtl = sessionsTtl;
    }

    @BeforeAll
    void startCluster() {
        redis = RedisServer.start();
        app = FakeRpcApp.start(payload -> redis.publish("__anycable__", payload));
    }

    /** Starts a node of the cluster and waits until it is ready. */
    CableServer node(String nodeId) {
        CableServer node = CableServer.start(options(nodeId));
        nodes.add(node);
        NodesSupport.awaitReady(node);
        return node;
    }

    /** The options of a node of the cluster. */
    Map<String, String> options(String nodeId) {
        Map<String, String> options = NodesSupport.nodeOptions(app, redis, nodeId, "http,redisx");
        options.put("broker", "redis");
        options.put("sessions_ttl", sessionsTtl);
        return options;
    }

    @BeforeEach
    void clearCalls() {
        app.clearCalls();
    }

    @AfterEach
    void closeClients() {
        clients.close();
    }

    @AfterAll
    void stopCluster() {
        nodes.forEach(CableServer::close);
        app.close();
        redis.close();
    }

    static String channel(String id) {
        return identifier("BenchmarkChannel", "id", id);
    }
}
