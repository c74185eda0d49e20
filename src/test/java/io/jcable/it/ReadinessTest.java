package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcable.jmx.CableStats;
import io.jcable.jmx.CableStatsMXBean;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import javax.management.JMX;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /health} is liveness and always 200; {@code /health/ready} is 503 while the RPC target is unreachable,
 * a broadcast adapter or the pub/sub is not connected, or the server is draining, and names what is not ready, in text and JSON.
 */
class ReadinessTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String RESTART = "{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}";

    /** Each test starts from a ready server: the previous one may have left Redis or the app reconnecting. */
    @BeforeEach
    void awaitReady() {
        awaitReadiness(server, 200);
    }

    @Test
    void readyWhileEveryCheckPassesInTextAndJson() {
        assertResponse(200, "OK\n", server.get("/health/ready"));
        assertResponse(200, "{\"ready\":true,\"checks\":{\"server\":\"ok\",\"rpc\":\"ok\",\"broadcast\":\"ok\",\"pubsub\":\"ok\"}}\n",
                json(server, "/health/ready"));
        assertResponse(200, "OK\n", server.get("/health"));
    }

    @Test
    void notReadyWhileTheAppIsStoppedAndReadyAgainOnceItIsBack() {
        app.stop();
        try {
            HttpResponse<String> text = awaitReadiness(server, 503);
            assertEquals("NOT READY: rpc unreachable\n", text.body());
            assertResponse(503, "{\"ready\":false,\"checks\":{\"server\":\"ok\",\"rpc\":\"unreachable\","
                    + "\"broadcast\":\"ok\",\"pubsub\":\"ok\"}}\n", json(server, "/health/ready"));
            assertResponse(200, "OK\n", server.get("/health"));
        } finally {
            app.restart();
        }
        assertEquals("OK\n", awaitReadiness(server, 200).body());
    }

    @Test
    void notReadyWhileRedisIsDownAndReadyAgainOnceSubscribed() {
        redis.stop();
        try {
            // The adapter's SUBSCRIBE and the pub/sub's connection notice the loss each on its own.
            assertEquals("NOT READY: broadcast an adapter is not connected, pubsub not connected\n",
                    awaitReadinessBody(server, "NOT READY: broadcast an adapter is not connected, pubsub not connected\n")
                            .body());
            assertResponse(200, "OK\n", server.get("/health"));
        } finally {
            redis.restart();
        }
        assertEquals("OK\n", awaitReadiness(server, 200).body());
    }

    @Test
    void jmxDrainNotifiesEveryClientStopsAcceptingAndTurnsReadinessOff() {
        try (CableServer own = startOwn(Map.of())) {
            CableStatsMXBean jmx = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                    CableStats.objectName(""), CableStatsMXBean.class);
            List<CableClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                CableClient c = track(CableClient.connect(own.ws("/cable?test=drain&n=" + i)));
                c.subscribe(identifier("EmptyChannel"));
                clients.add(c);
            }

            jmx.drain();

            for (CableClient c : clients) {
                assertEquals(data(RESTART), c.receive());
                assertEquals(1001, c.awaitClose(WAIT).getCloseCode().getCode());
            }
            assertEquals(3, app.calls("Disconnect").stream()
                    .filter(call -> call.request(io.jcable.rpc.proto.DisconnectRequest.class).getEnv().getUrl()
                            .contains("test=drain")).count(), "every Disconnect made before drain() returned");
            assertResponse(503, "NOT READY: server shutting down\n", own.get("/health/ready"));
            assertResponse(200, "OK\n", own.get("/health"));
            CableClient late = track(CableClient.connect(own.ws("/cable?test=drain&n=late")));
            assertEquals(data(RESTART), late.receive());
            assertEquals(1001, late.awaitClose(WAIT).getCloseCode().getCode());
        }
    }

    /** Polls the readiness path until it answers {@code status}; readiness has no event to wait on. */
    static HttpResponse<String> awaitReadiness(CableServer cable, int status) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> response = cable.get("/health/ready");
        while (response.statusCode() != status) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("readiness never answered " + status + "; last: " + response.statusCode()
                        + " " + response.body());
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            response = cable.get("/health/ready");
        }
        return response;
    }

    /** Polls the readiness path until its body is {@code body}; fails with the last answer after the wait. */
    private static HttpResponse<String> awaitReadinessBody(CableServer cable, String body) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> response = cable.get("/health/ready");
        while (!response.body().equals(body)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("readiness never answered " + body + "; last: " + response.statusCode()
                        + " " + response.body());
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            response = cable.get("/health/ready");
        }
        return response;
    }

    private static HttpResponse<String> json(CableServer cable, String path) {
        HttpResponse<String> response = cable.send(HttpRequest.newBuilder(cable.http(path))
                .header("Accept", "application/json").GET().build());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        return response;
    }

    private static void assertResponse(int status, String body, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(body, response.body());
    }
}
