package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How jcable calls the application (docs/rpc.md §6–9): outcomes, state, retries, deadlines, Disconnect modes. Over
 * gRPC here, over HTTP RPC in {@link HttpRpcBehaviourTest}.
 */
class RpcBehaviourTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String TICK = "{\"action\":\"tick\"}";
    private static final String PING = "{\"command\":\"ping\"}";
    private static final String PONG = "{\"type\":\"pong\"}";
    private static final String UNAUTHORIZED = "{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}";

    @Test
    void connectFailureIsCountedAsAFailedAuth() {
        long before = server.metric("failed_auths_total");
        CableClient c = client("?test=reasons&reason=unauthorized", CableClient.Options.defaults().ignoring("ping"));
        assertEquals(data(UNAUTHORIZED), c.receive());
        assertEquals(1000, c.awaitClose(WAIT).getCloseCode().getCode());
        assertEquals(before + 1, server.metric("failed_auths_total"));
    }

    @Test
    void connectionStateFromConnectIsSentOnLaterCommands() {
        String id = identifier("CstateChannel");
        CableClient c = client("?test=cstate");
        c.subscribe(id);
        c.perform(id, data("{\"action\":\"set\",\"key\":\"k\",\"value\":\"v\"}"));
        assertEquals(data(message(id, "{\"from\":\"connect\"}")), c.receive());
        c.perform(id, data("{\"action\":\"set\",\"key\":\"from\",\"value\":\"\"}"));
        assertEquals(data(message(id, "{\"from\":\"connect\",\"k\":\"v\"}")), c.receive());
        c.perform(id, data("{\"action\":\"set\",\"key\":\"x\",\"value\":\"y\"}"));
        assertEquals(data(message(id, "{\"k\":\"v\"}")), c.receive());
    }

    @Test
    void commandsCarryTheConnectionIdentifiers() {
        String id = identifier("PerformChannel");
        CableClient c = client("?test=uid&uid=31");
        c.subscribe(id);
        c.perform(id, data(TICK));
        assertEquals(data(message(id, "\"tock\"")), c.receive());
        String sid = app.calls("Connect").getLast().sid();
        List<String> carried = app.calls("Command").stream().filter(call -> call.sid().equals(sid))
                .map(call -> call.request(CommandMessage.class).getConnectionIdentifiers()).toList();
        assertEquals(List.of("{\"uid\":\"31\"}", "{\"uid\":\"31\"}"), carried);
    }

    @Test
    void unsubscribeThatFailsAtTheAppStillDropsTheSubscription() {
        String stream = identifier("StreamChannel");
        String other = identifier("RequestAChannel");
        CableClient c = client("");
        c.subscribe(stream);
        c.subscribe(other);
        app.failNext("Command", io.grpc.Status.Code.INTERNAL, 1);
        c.unsubscribe(stream);
        c.send(PING);
        assertEquals(data(PONG), c.receive());
        app.awaitCall("Command", call -> call.request(CommandMessage.class).getCommand().equals("unsubscribe"), WAIT);
        // Published in this order on one Redis channel: the first would arrive first if it were still delivered.
        broadcast("a", "{\"dropped\":true}");
        broadcast("request_a", "{\"kept\":true}");
        assertEquals(data(message(other, "{\"kept\":true}")), c.receive());
        // Nor is it still known: a message to it is refused locally.
        long failed = server.metric("failed_client_msg_total");
        c.perform(stream, data("{\"action\":\"speak\"}"));
        c.send(PING);
        assertEquals(data(PONG), c.receive());
        assertEquals(failed + 1, server.metric("failed_client_msg_total"));
        assertEquals(0, app.calls("Command").stream().map(call -> call.request(CommandMessage.class))
                .filter(command -> command.getCommand().equals("message") && command.getIdentifier().equals(stream))
                .count());
    }

    @Test
    void rejectedSubscriptionIsNotRecorded() {
        String id = identifier("NoSuchChannel");
        CableClient c = client("");
        c.sendSubscribe(id);
        assertEquals(data(reject(id)), c.receive());
        long failed = server.metric("failed_client_msg_total");
        c.perform(id, data(TICK));
        c.send(PING);
        assertEquals(data(PONG), c.receive());
        assertEquals(failed + 1, server.metric("failed_client_msg_total"));
        // Not a duplicate either: subscribing again asks the app again.
        c.sendSubscribe(id);
        assertEquals(data(reject(id)), c.receive());
        assertEquals(List.of("subscribe", "subscribe"), app.calls("Command").stream()
                .map(call -> call.request(CommandMessage.class).getCommand()).toList());
    }

    @Test
    void performThatFailsAtTheAppSendsNothing() {
        String id = identifier("PerformChannel");
        CableClient c = client("");
        c.subscribe(id);
        app.failNext("Command", io.grpc.Status.Code.INTERNAL, 1);
        c.perform(id, data(TICK));
        c.send(PING);
        assertEquals(data(PONG), c.receive());
        assertTrue(c.isOpen());
    }

    @Test
    void aCallStillWaitingForASlotIsSkippedOnceItsSessionIsClosed() {
        try (CableServer own = startOwn(Map.of("rpc_concurrency", "1", "rpc_command_timeout", "30000"))) {
            CableClient holder = track(CableClient.connect(own.ws("/cable?n=holder")));
            CableClient waiter = track(CableClient.connect(own.ws("/cable?n=waiter")));
            holder.subscribe(identifier("EmptyChannel"));
            waiter.subscribe(identifier("EmptyChannel"));
            String waiting = identifier("EmptyChannel", "waiting", 1);
            FakeRpcApp.Gate gate = app.hold("Command");
            try {
                holder.sendSubscribe(identifier("EmptyChannel", "held", 1));
                gate.awaitBlocked(1, WAIT);
                waiter.sendSubscribe(waiting);
                own.awaitMetric("rpc_pending_num", pending -> pending == 1, WAIT);
                // A binary frame makes the server close the waiter: marked closed before its close frame leaves.
                waiter.sendBinary(new byte[] {1});
                assertEquals(1003, waiter.awaitClose(WAIT).getCloseCode().getCode());
            } finally {
                gate.release();
            }
            own.awaitMetric("rpc_canceled_total", canceled -> canceled == 1, WAIT);
            assertEquals(List.of(), app.calls("Command").stream()
                    .filter(call -> call.request(CommandMessage.class).getIdentifier().equals(waiting)).toList());
        }
    }

    @Test
    void requestTimeoutCutsEachAttemptAndIsNotRetried() {
        try (CableServer own = startOwn(Map.of("rpc_request_timeout", "1000", "rpc_command_timeout", "60000"))) {
            CableClient c = track(CableClient.connect(own.ws("/cable")));
            String id = identifier("EmptyChannel", "slow", 1);
            FakeRpcApp.Gate gate = app.hold("Command");
            try {
                c.sendSubscribe(id);
                // With only the 60 s call budget the client would wait for a minute.
                assertEquals(data(reject(id)), c.receive());
            } finally {
                gate.release();
            }
            assertEquals(1, own.metric("rpc_timeout_total"));
            assertEquals(0, own.metric("rpc_retries_total"));
            assertEquals(1, app.calls("Command").size());
        }
    }

    @Test
    void disconnectModeNeverMakesNoDisconnectCall() {
        for (Map.Entry<String, String> setting : Map.of("disconnect_mode", "never", "disable_disconnect", "true")
                .entrySet()) {
            CableServer own = startOwn(Map.of(setting.getKey(), setting.getValue()));
            CableClient closing = track(CableClient.connect(own.ws("/cable?n=closing")));
            closing.subscribe(identifier("EmptyChannel"));
            closing.close();
            CableClient staying = track(CableClient.connect(own.ws("/cable?n=staying")));
            staying.subscribe(identifier("EmptyChannel"));
            own.awaitMetric("clients_num", value -> value == 1, WAIT);
            // Undeploy drains the Disconnect queue: whatever was queued has been called once stop() returns.
            own.stop();
            // Only this server's calls: the shared server may still be making Disconnects of earlier tests' clients.
            String ownUrl = own.http("/cable").toString();
            assertEquals(List.of(), app.calls("Disconnect").stream()
                    .filter(call -> call.request(DisconnectRequest.class).getEnv().getUrl().startsWith(ownUrl))
                    .toList(), setting.toString());
        }
    }

    @Test
    void unavailableIsRetriedAndTheCallCountedOnce() {
        app.failNext("Connect", io.grpc.Status.Code.UNAVAILABLE, 2);
        assertConnectSucceedsAfterRetries(2);
    }
}
