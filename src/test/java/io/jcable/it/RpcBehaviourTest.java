package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How jcable calls the application (rpc.md §6–9): outcomes, state, retries, deadlines, Disconnect modes. */
class RpcBehaviourTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void grpcListSpreadsCallsOverEveryListedApp() {
        try (FakeRpcApp second = FakeRpcApp.start(payload -> redis.publish("__anycable__", payload))) {
            Map<String, String> options = CableServer.options(app, redis);
            options.put("rpc_host", "grpc-list://" + app.target() + "," + second.target());
            try (CableServer own = CableServer.start(options)) {
                // Round robin picks among the connections that are ready: both are, after the first calls.
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (app.calls("Connect").isEmpty() || second.calls("Connect").isEmpty()) {
                    assertTrue(System.nanoTime() < deadline, "calls reached only one app: " + app.calls("Connect").size()
                            + " and " + second.calls("Connect").size());
                    CableClient c = track(CableClient.connect(own.ws("/cable"), CableClient.Options.defaults().ignoring("ping")));
                    assertFrame("{\"type\":\"welcome\"}", c.receive());
                    c.close();
                }
                second.stop();
                // The other app takes every call once the stopped one's connection is gone.
                for (int i = 0; i < 3; i++) {
                    CableClient c = track(CableClient.connect(own.ws("/cable"), CableClient.Options.defaults().ignoring("ping")));
                    assertFrame("{\"type\":\"welcome\"}", c.receive());
                }
            }
        }
    }

    @Test
    void unavailableIsRetriedAndTheCallCountedOnce() {
        Map<String, Long> before = server.metrics();
        app.failNext("Connect", io.grpc.Status.Code.UNAVAILABLE, 2);
        CableClient c = client("", CableClient.Options.defaults().ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
        Map<String, Long> after = server.metrics();
        assertEquals(2, after.get("rpc_retries_total") - before.get("rpc_retries_total"));
        assertEquals(1, after.get("rpc_call_total") - before.get("rpc_call_total"));
        assertEquals(before.get("rpc_error_total"), after.get("rpc_error_total"));
    }
}
