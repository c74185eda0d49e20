package io.jcable.it;

import static io.jcable.it.NodesSupport.WAIT;
import static io.jcable.it.NodesSupport.post;
import static io.jcable.it.NodesSupport.publication;
import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.NatsServer;
import io.jcable.testing.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three jcable nodes (embedded, each with its own web app) on one Redis and one NATS, with every adapter on and the
 * Redis pub/sub between them ({@link SeveralNodesOverNatsTest}: the NATS pub/sub): a publication entering through any adapter at any node reaches each subscriber once,
 * remote commands and {@code exclude_socket} work across nodes, each node receives only the streams it serves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeveralNodesTest {
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final String ADAPTERS = "http,redis,redisx,nats";

    protected RedisServer redis;
    protected NatsServer nats;
    private FakeRpcApp app;
    private List<CableServer> nodes;
    private CableServer a;
    private CableServer b;
    private CableServer c;
    private final NodesSupport support = new NodesSupport();

    @BeforeAll
    void startNodes() {
        redis = RedisServer.start();
        nats = NatsServer.start();
        app = FakeRpcApp.start(payload -> redis.publish("__anycable__", payload));
        a = node("node-a");
        b = node("node-b");
        c = node("node-c");
        nodes = List.of(a, b, c);
        nodes.forEach(NodesSupport::awaitReady);
    }

    private CableServer node(String id) {
        Map<String, String> options = NodesSupport.nodeOptions(app, redis, id, ADAPTERS);
        options.put("nats_servers", nats.url());
        options.put("pubsub", pubsub());
        return CableServer.start(options);
    }

    /** {@code ANYCABLE_PUBSUB} of the nodes. */
    protected String pubsub() {
        return "redis";
    }

    /** How many nodes the pub/sub transport delivers {@code stream} to. */
    protected long nodesReceiving(String stream) {
        return redis.subscriberCount(stream);
    }

    /** Publishes straight on the pub/sub transport, as another node would. */
    protected void publishOnPubSub(String channel, String payload) {
        redis.publish(channel, payload);
    }

    @AfterEach
    void closeClients() {
        support.close();
    }

    @AfterAll
    void stopNodes() {
        for (AutoCloseable closeable : new AutoCloseable[] {c, b, a, app, nats, redis}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void aPublicationThroughEveryAdapterReachesEachSubscriberOnEveryNodeOnce() {
        String id = identifier("StreamChannel");
        List<CableClient> clients = nodes.stream().map(node -> subscribed(node, id)).toList();
        post(a, publication("a", "{\"n\":1}"));
        expectEach(clients, id, 1);
        redis.xadd("__anycable__", publication("a", "{\"n\":2}"));
        expectEach(clients, id, 2);
        nats.publish("__anycable__", publication("a", "{\"n\":3}"));
        expectEach(clients, id, 3);
        redis.publish("__anycable__", publication("a", "{\"n\":4}"));
        expectEach(clients, id, 4);
        post(c, "[" + publication("a", "{\"n\":5}") + "," + publication("a", "{\"n\":6}") + "]");
        expectEach(clients, id, 5);
        expectEach(clients, id, 6);
        clients.forEach(client -> client.expectNothing(QUIET));
    }

    @Test
    void aRemoteDisconnectPostedToOneNodeClosesTheMatchingSessionsOnEveryNode() {
        CableClient onB = support.client(b, "?test=uid&uid=41");
        CableClient onC = support.client(c, "?test=uid&uid=41");
        CableClient other = support.client(c, "?test=uid&uid=42");
        for (CableClient client : List.of(onB, onC, other)) {
            client.subscribe(identifier("EmptyChannel"));
        }
        post(a, "{\"command\":\"disconnect\",\"payload\":{\"identifier\":\"{\\\"uid\\\":\\\"41\\\"}\",\"reconnect\":true}}");
        for (CableClient closed : List.of(onB, onC)) {
            assertEquals(JsonParser.parseString("{\"type\":\"disconnect\",\"reason\":\"remote\",\"reconnect\":true}"),
                    closed.receive());
            assertEquals(1000, closed.awaitClose(WAIT).getCloseCode().getCode());
        }
        other.expectNothing(QUIET);
        assertTrue(other.isOpen());
    }

    @Test
    void excludeSocketSkipsTheSessionOnAnotherNode() {
        String id = identifier("StreamChannel");
        CableClient excluded = support.client(c, "", CableClient.Options.defaults().ignoring("ping"));
        String sid = excluded.receive().get("sid").getAsString();
        excluded.subscribe(id);
        CableClient sameNode = subscribed(c, id);
        CableClient elsewhere = subscribed(b, id);
        post(a, "{\"stream\":\"a\",\"data\":\"{\\\"n\\\":7}\",\"meta\":{\"exclude_socket\":\"" + sid + "\"}}");
        expectEach(List.of(sameNode, elsewhere), id, 7);
        excluded.expectNothing(QUIET);
    }

    @Test
    void eachNodeSubscribesOnlyToTheStreamsItServesUntilTheLastLocalSubscriberLeaves() {
        String stream = "bench_only_here";
        String id = identifier("BenchmarkChannel", "id", "only_here");
        assertEquals(0, nodesReceiving(stream));
        CableClient first = subscribed(b, id);
        assertEquals(1, nodesReceiving(stream), "the confirmation comes after the node's subscription");
        CableClient second = subscribed(b, id);
        CableClient third = subscribed(c, id);
        assertEquals(2, nodesReceiving(stream));
        first.close();
        third.close();
        NodesSupport.await(() -> nodesReceiving(stream) == 1, "node C kept its subscription");
        post(a, publication(stream, "{\"n\":8}"));
        assertEquals(JsonParser.parseString(CableTestSupport.message(id, "{\"n\":8}")), second.receive());
        second.close();
        NodesSupport.await(() -> nodesReceiving(stream) == 0, "node B kept its subscription");
    }

    @Test
    void aMessageThatIsNotAPublicationIsCountedAndSkippedOnEveryTransport() {
        String id = identifier("StreamChannel");
        List<CableClient> clients = nodes.stream().map(node -> subscribed(node, id)).toList();
        long failedOnA = a.metric("failed_broadcast_msg_total");
        String garbage = "not a publication " + "x".repeat(300);
        redis.xadd("__anycable__", garbage);
        NodesSupport.await(() -> nodes.stream().mapToLong(node -> node.metric("failed_broadcast_msg_total")).sum()
                >= 1, "the redisx entry was not counted");
        publishOnPubSub("a", garbage);
        publishOnPubSub("__anycable_internal__", garbage);
        nats.publish("__anycable__", garbage);
        redis.publish("__anycable__", garbage);
        post(a, publication("a", "{\"n\":9}"));
        expectEach(clients, id, 9);
        // on node A: the redisx entry (if A read it), the pub/sub stream and internal messages, NATS, Redis
        NodesSupport.await(() -> a.metric("failed_broadcast_msg_total") >= failedOnA + 4, "node A did not count them");
        clients.forEach(client -> client.expectNothing(QUIET));
    }

    private CableClient subscribed(CableServer node, String id) {
        CableClient client = support.client(node, "");
        client.subscribe(id);
        return client;
    }

    private static void expectEach(List<CableClient> clients, String id, int n) {
        JsonObject expected = JsonParser.parseString(CableTestSupport.message(id, "{\"n\":" + n + "}")).getAsJsonObject();
        for (CableClient client : clients) {
            assertEquals(expected, client.receive());
        }
    }
}
