package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.jmx.CableStats;
import io.jcable.jmx.CableStatsMXBean;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import javax.management.JMX;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus endpoint and the JMX MXBean of a running jcable: histograms counting real RPC calls and
 * broadcasts, the MXBean read and operated through the platform MBeanServer, and neither exposing a client's
 * identifiers or cookies.
 */
class MetricsAndJmxTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String CONNECT_COUNT = "rpc_call_duration_seconds_count{method=\"Connect\"}";
    private static final String CONNECT_INF = "rpc_call_duration_seconds_bucket{method=\"Connect\",le=\"+Inf\"}";
    private static final String CONNECT_10S = "rpc_call_duration_seconds_bucket{method=\"Connect\",le=\"10.0\"}";
    private static final String COMMAND_COUNT = "rpc_call_duration_seconds_count{method=\"Command\"}";
    private static final String DISCONNECT_COUNT = "rpc_call_duration_seconds_count{method=\"Disconnect\"}";
    private static final String FANOUT_COUNT = "broadcast_fanout_duration_seconds_count";

    private final CableStatsMXBean jmx = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
            CableStats.objectName(""), CableStatsMXBean.class);

    @Test
    void rpcLatencyHistogramsCountEveryCallByMethodAndFanoutEveryBroadcast() {
        Map<String, Long> before = quiet();
        CableClient c = client("");
        String id = identifier("StreamChannel");
        c.subscribe(id);
        broadcast("a", "{\"n\":1}");
        assertEquals(data(message(id, "{\"n\":1}")), c.receive());
        c.close();
        Map<String, Long> after = quiet();
        assertEquals(1, delta(before, after, CONNECT_COUNT));
        assertEquals(1, delta(before, after, CONNECT_INF), "the +Inf bucket counts the call");
        assertEquals(1, delta(before, after, CONNECT_10S), "so does every bucket above its duration");
        assertEquals(1, delta(before, after, COMMAND_COUNT));
        assertEquals(1, delta(before, after, DISCONNECT_COUNT));
        assertEquals(3, delta(before, after, "rpc_call_total"), "Connect, subscribe, Disconnect");
        assertEquals(1, delta(before, after, FANOUT_COUNT));
        assertEquals(delta(before, after, "broadcast_msg_total"), delta(before, after, FANOUT_COUNT));
    }

    @Test
    void jmxShowsTheSameSamplesAsPrometheus() {
        CableClient c = client("");
        c.subscribe(identifier("StreamChannel"));
        broadcast("a", "{\"n\":2}");
        c.receive();
        app.awaitCallCount("Command", 1, WAIT);
        // The fan-out is timed once every frame is queued, which may be just after this client got its frame.
        server.awaitMetric(FANOUT_COUNT, value -> value == server.metric("broadcast_msg_total"), WAIT);

        Map<String, Double> viaJmx = jmx.getMetrics();
        Map<String, Long> viaHttp = server.metrics();
        for (String name : List.of("rpc_call_total", "broadcast_msg_total", "clients_num", CONNECT_COUNT,
                COMMAND_COUNT, FANOUT_COUNT)) {
            assertTrue(viaJmx.containsKey(name), name + " in " + viaJmx.keySet());
            assertEquals(viaHttp.get(name), viaJmx.get(name).longValue(), name);
        }
        assertTrue(viaJmx.keySet().stream().noneMatch(name -> name.contains("_bucket") || name.startsWith("jvm_")),
                viaJmx.keySet().toString());
        assertEquals(viaHttp.get("clients_num"), jmx.getClients());
    }

    @Test
    void jmxDisconnectClosesEverySessionWithThoseIdentifiersOnly() {
        CableClient first = client("?test=uid&uid=jmx-1");
        CableClient second = client("?test=uid&uid=jmx-1");
        CableClient other = client("?test=uid&uid=jmx-2");
        for (CableClient c : List.of(first, second, other)) {
            c.subscribe(identifier("EmptyChannel"));
        }

        assertEquals(2, jmx.disconnect("{\"uid\":\"jmx-1\"}", true));

        for (CableClient c : List.of(first, second)) {
            assertEquals(data("{\"type\":\"disconnect\",\"reason\":\"remote\",\"reconnect\":true}"), c.receive());
            assertEquals(1000, c.awaitClose(WAIT).getCloseCode().getCode());
        }
        assertTrue(other.isOpen());
        app.awaitCall("Disconnect", call -> app.calls("Disconnect").stream().filter(each ->
                each.request(DisconnectRequest.class).getIdentifiers().equals("{\"uid\":\"jmx-1\"}")).count() == 2,
                WAIT);
        assertEquals(0, jmx.disconnect("{\"uid\":\"nobody\"}", false));
    }

    @Test
    void jmxBroadcastReachesTheStreamLikeAnAppBroadcast() {
        String id = identifier("StreamChannel");
        CableClient c = client("");
        c.subscribe(id);
        long published = server.metric("broadcast_msg_total");

        jmx.broadcast("a", "{\"from\":\"jmx\"}");
        jmx.broadcast("a", "plain text");

        assertEquals(data(message(id, "{\"from\":\"jmx\"}")), c.receive());
        assertEquals(data(message(id, "\"plain text\"")), c.receive());
        assertEquals(published + 2, server.metric("broadcast_msg_total"));
    }

    @Test
    void jmxBroadcastWithoutAStreamIsRefusedAndDeliversNothing() {
        CableClient c = client("");
        c.subscribe(identifier("StreamChannel"));

        // The proxy unwraps the RuntimeMBeanException the MBeanServer threw.
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> jmx.broadcast("", "{}"));
        assertEquals("a broadcast needs a stream and data", refused.getMessage());
        c.expectNothing(Duration.ofMillis(300));
    }

    @Test
    void neitherMetricsNorJmxExposeIdentifiersOrCookies() {
        CableClient c = client("?test=uid&uid=user-secret-uid",
                CableClient.Options.defaults().withHeader("Cookie", "session=cookie-secret-value"));
        c.subscribe(identifier("StreamChannel", "room", "room-secret-name"));
        app.awaitCallCount("Command", 1, WAIT);

        String prometheus = server.get("/metrics").body();
        String viaJmx = jmx.getMetrics().toString();
        for (String secret : List.of("user-secret-uid", "cookie-secret-value", "room-secret-name", "session=")) {
            assertFalse(prometheus.contains(secret), secret + " in /metrics");
            assertFalse(viaJmx.contains(secret), secret + " in JMX");
        }
    }

    /**
     * The metrics once no client is left and every RPC call has ended: no Disconnect queued, and the histograms'
     * counts add up to {@code rpc_call_total} (a call is counted when it starts and timed when it ends).
     */
    private Map<String, Long> quiet() {
        server.awaitMetric("clients_num", value -> value == 0, WAIT);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Map<String, Long> metrics = server.metrics();
            long timed = metrics.get(CONNECT_COUNT) + metrics.get(COMMAND_COUNT) + metrics.get(DISCONNECT_COUNT);
            if (metrics.get("disconnect_queue_size") == 0 && timed == metrics.get("rpc_call_total")) {
                return metrics;
            }
            assertTrue(System.nanoTime() < deadline, "RPC calls still running: " + metrics);
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
        assertTrue(after.containsKey(name), name + " in " + after.keySet());
        return after.get(name) - before.getOrDefault(name, 0L);
    }
}
