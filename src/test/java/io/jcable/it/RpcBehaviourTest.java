package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcable.testing.CableClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How jcable calls the application (rpc.md §6–9): outcomes, state, retries, deadlines, Disconnect modes. */
class RpcBehaviourTest extends CableTestSupport {

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
