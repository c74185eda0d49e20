package io.jcable.it;

import static io.jcable.it.NodesSupport.publication;
import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.LocalServerProcess;
import io.jcable.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;

/**
 * Redis Sentinel ({@code ANYCABLE_REDIS_SENTINELS}): a master, one replica and three sentinels on free ports. The
 * master is stopped; once the sentinels promote the replica, the node follows it: Redis broadcasts and the
 * {@code redisx} stream reach the subscriber again, nothing added to the stream is lost.
 */
class SentinelFailoverTest {
    private static final String MASTER_NAME = "jcablemaster";
    private static final Duration FAILOVER_WAIT = Duration.ofSeconds(30);

    @Test
    void afterTheMasterDiesTheNodeFollowsThePromotedReplica() throws IOException {
        List<AutoCloseable> opened = new ArrayList<>();
        try (RedisServer master = RedisServer.start(); FakeRpcApp app = FakeRpcApp.start(payload -> { });
             NodesSupport support = new NodesSupport()) {
            LocalServerProcess replica = LocalServerProcess.start("redis-server", port -> List.of(
                    "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                    "--replicaof", "127.0.0.1", Integer.toString(master.port())));
            opened.add(replica);
            List<LocalServerProcess> sentinels = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                LocalServerProcess sentinel = LocalServerProcess.start("redis-sentinel",
                        port -> List.of(sentinelConfig(port, master.port()).toString()));
                sentinels.add(sentinel);
                opened.add(sentinel);
            }
            NodesSupport.await(() -> sentinels.stream().allMatch(s -> knowsReplicaAndPeers(s.port())),
                    "the sentinels did not find the replica and each other", FAILOVER_WAIT);

            Map<String, String> options = NodesSupport.nodeOptions(app, master, "watcher", "redis,redisx,http");
            options.put("redis_url", "redis://" + MASTER_NAME);
            options.put("redis_sentinels", sentinels.stream().map(s -> "127.0.0.1:" + s.port())
                    .collect(Collectors.joining(",")));
            try (CableServer node = CableServer.start(options)) {
                NodesSupport.awaitReady(node);
                String id = identifier("StreamChannel");
                CableClient client = support.client(node, "");
                client.subscribe(id);
                master.publish("__anycable__", publication("a", "{\"n\":1}"));
                expect(client, id, 1);
                master.xadd("__anycable__", publication("a", "{\"n\":2}"));
                expect(client, id, 2);

                master.stop();
                int sentinelPort = sentinels.getFirst().port();
                NodesSupport.await(() -> masterPort(sentinelPort) == replica.port(), "no failover", FAILOVER_WAIT);
                NodesSupport.await(() -> node.get("/health/ready").statusCode() == 200,
                        "the node did not follow the new master", FAILOVER_WAIT);
                try (Jedis promoted = new Jedis("127.0.0.1", replica.port())) {
                    for (int n = 3; n <= 5; n++) {
                        promoted.xadd("__anycable__", StreamEntryID.NEW_ENTRY,
                                Map.of("payload", publication("a", "{\"n\":" + n + "}")));
                    }
                    for (int n = 3; n <= 5; n++) {
                        expect(client, id, n);
                    }
                    NodesSupport.await(() -> promoted.pubsubNumSub("__anycable__").get("__anycable__") == 1,
                            "the redis adapter did not subscribe on the new master");
                    promoted.publish("__anycable__", publication("a", "{\"n\":6}"));
                    expect(client, id, 6);
                }
                client.expectNothing(Duration.ofMillis(300));
            }
        } finally {
            for (AutoCloseable closeable : opened.reversed()) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** A sentinel's configuration file (it rewrites it, so each has its own). */
    private static Path sentinelConfig(int port, int masterPort) {
        try {
            Path file = Files.createTempFile("jcable-sentinel-", ".conf");
            file.toFile().deleteOnExit();
            Files.writeString(file, String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2",
                    "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                    "sentinel failover-timeout " + MASTER_NAME + " 5000",
                    "sentinel parallel-syncs " + MASTER_NAME + " 1",
                    ""));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean knowsReplicaAndPeers(int sentinelPort) {
        try (Jedis sentinel = new Jedis("127.0.0.1", sentinelPort)) {
            return sentinel.sentinelReplicas(MASTER_NAME).size() == 1 && sentinel.sentinelSentinels(MASTER_NAME).size() == 2;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private static int masterPort(int sentinelPort) {
        try (Jedis sentinel = new Jedis("127.0.0.1", sentinelPort)) {
            return Integer.parseInt(sentinel.sentinelGetMasterAddrByName(MASTER_NAME).get(1));
        } catch (RuntimeException notYet) {
            return -1;
        }
    }

    private static void expect(CableClient client, String id, int n) {
        assertEquals(JsonParser.parseString(CableTestSupport.message(id, "{\"n\":" + n + "}")), client.receive());
    }
}
