package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.FakeRpcApp.RecordedCall;
import java.time.Duration;
import java.util.List;

/**
 * What the fake app must have seen of one official JS client's session (the scripts in {@code src/test/js} subscribe
 * to {@link #PERFORM_ID} and {@link #STREAM_ID}, perform {@code echo} once and disconnect).
 */
final class JsClientCalls {
    static final String PERFORM_ID = "{\"channel\":\"PerformChannel\"}";
    static final String STREAM_ID = "{\"channel\":\"StreamChannel\"}";
    private static final Duration RPC_WAIT = Duration.ofSeconds(5);

    private JsClientCalls() {
    }

    /**
     * One connection (no reconnect), {@code sid} in every RPC, both subscribes, the perform as sent, and the
     * client's disconnect() reaching the app with both subscriptions.
     */
    static void assertOneSession(FakeRpcApp app, CableServer server, String sid, String echoText) {
        List<RecordedCall> connects = app.calls("Connect");
        assertEquals(1, connects.size(), "the client must not reconnect: " + connects);
        RecordedCall connect = connects.getFirst();
        assertEquals(sid, connect.sid(), "Connect sid metadata vs the welcome's sid");
        assertEquals("v1", connect.protov());
        assertEquals(server.http("/cable").toString(), connect.request(ConnectionRequest.class).getEnv().getUrl());

        for (String identifier : List.of(PERFORM_ID, STREAM_ID)) {
            RecordedCall subscribe = app.awaitCall("Command", call -> call.request(CommandMessage.class).getCommand()
                    .equals("subscribe") && call.request(CommandMessage.class).getIdentifier().equals(identifier), RPC_WAIT);
            assertEquals(sid, subscribe.sid());
        }
        RecordedCall perform = app.awaitCall("Command",
                call -> call.request(CommandMessage.class).getCommand().equals("message"), RPC_WAIT);
        CommandMessage message = perform.request(CommandMessage.class);
        assertEquals(sid, perform.sid());
        assertEquals(PERFORM_ID, message.getIdentifier());
        JsonObject performed = JsonParser.parseString(message.getData()).getAsJsonObject();
        assertEquals("echo", performed.get("action").getAsString(), message.getData());
        assertEquals(echoText, performed.get("text").getAsString(), message.getData());

        RecordedCall disconnect = app.awaitCall("Disconnect", call -> sid.equals(call.sid()), RPC_WAIT);
        assertEquals(List.of(PERFORM_ID, STREAM_ID).stream().sorted().toList(),
                disconnect.request(DisconnectRequest.class).getSubscriptionsList().stream().sorted().toList());
    }
}
