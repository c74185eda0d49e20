package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcable.testing.CableClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Readiness over HTTP RPC, which has no connection state: the app is found unreachable by a failed call, and
 * found back without any call (a server that is not ready gets no clients to make one).
 */
class HttpRpcReadinessTest extends CableTestSupport {
    private static final String SERVER_ERROR =
            "{\"type\":\"disconnect\",\"reason\":\"server_error\",\"reconnect\":true}";

    @Override
    protected String rpcHost() {
        return app.httpTarget();
    }

    @Test
    void aFailedCallMakesTheAppUnreachableAndItIsFoundBackWithoutAnyCall() {
        assertEquals("OK\n", ReadinessTest.awaitReadiness(server, 200).body());
        app.stop();
        try {
            CableClient c = client("", CableClient.Options.defaults().ignoring("ping"));
            assertEquals(data(SERVER_ERROR), c.receive());
            assertEquals(1011, c.awaitClose(Duration.ofSeconds(5)).getCloseCode().getCode());
            assertEquals("NOT READY: rpc unreachable\n", ReadinessTest.awaitReadiness(server, 503).body());
        } finally {
            app.restart();
        }
        long connects = app.calls("Connect").size();
        assertEquals("OK\n", ReadinessTest.awaitReadiness(server, 200).body());
        assertEquals(connects, app.calls("Connect").size(), "no RPC call was made to find the app back");
    }
}
