package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonObject;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.NonReadingClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How sessions start and end: a close the server decides stops the session's queued commands at once, session
 * ids taken from {@code X-Request-ID} never collide, and the traffic counters.
 */
class SessionLifecycleTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String BYE = "{\"action\":\"bye\"}";
    private static final String TICK = "{\"action\":\"tick\"}";

    @Override
    protected void configure(Map<String, String> options) {
        options.put("jcable.sid_from_request_id", "true");
        // Calls held at the app's gate must not run out of their budget while a test sets up the close.
        options.put("rpc_command_timeout", "30000");
    }

    @Test
    void appDisconnectSkipsTheCommandsQueuedBehindIt() {
        assertNoCommandAfterTheFirst("?n=bye", BYE, threeTicks(), 1000);
    }

    @Test
    void malformedFrameSkipsTheCommandsQueuedBehindIt() {
        String tick = perform(identifier("DisconnectorChannel"), TICK);
        assertNoCommandAfterTheFirst("?n=malformed", TICK, List.of("not json", tick, tick), 1007);
    }

    @Test
    void binaryFrameSkipsTheCommandsQueuedBeforeIt() throws IOException {
        assertNoCommandAfterTheFirst("?n=binary", c -> c.sendBinary(new byte[] {1}), 1003);
    }

    @Test
    void oversizedMessageSkipsTheCommandsQueuedBeforeIt() throws IOException {
        String pad = "a".repeat(20_000);
        assertNoCommandAfterTheFirst("?n=big",
                c -> c.sendFragmentedText("{\"command\":\"ping\",\"pad\":\"", pad, pad, pad, pad + "\"}"), 1009);
    }

    @Test
    void floodSkipsTheCommandsQueuedBeforeIt() throws IOException {
        String tick = perform(identifier("DisconnectorChannel"), TICK);
        assertNoCommandAfterTheFirst("?n=flood", c -> {
            // Three ticks wait already: this fills the mailbox's 1024 places and sends one more.
            for (int i = 0; i < 1024 - 3 + 1; i++) {
                c.sendText(tick);
            }
        }, 1008);
    }

    @Test
    void remoteDisconnectSkipsTheCommandsQueuedBeforeIt() throws IOException {
        assertNoCommandAfterTheFirst("?test=uid&uid=remote-1&n=remote", c -> redis.publish("__anycable__",
                "{\"command\":\"disconnect\",\"payload\":{\"identifier\":\"{\\\"uid\\\":\\\"remote-1\\\"}\"}}"), 1000);
    }

    @Test
    void framesQueuedBehindARejectedConnectReachNoCommand() {
        FakeRpcApp.Gate gate = app.hold("Connect");
        CableClient c;
        String sid;
        try {
            long received = server.metric("data_rcvd_total");
            c = client("?test=reasons&reason=unauthorized&n=rejected", CableClient.Options.defaults().ignoring("ping"));
            sid = app.awaitCall("Connect", call -> url(call).contains("n=rejected"), WAIT).sid();
            JsonObject command = new JsonObject();
            command.addProperty("command", "subscribe");
            command.addProperty("identifier", identifier("EmptyChannel"));
            String subscribe = command.toString();
            String tick = perform(identifier("EmptyChannel"), TICK);
            c.send(subscribe);
            c.send(tick);
            server.awaitMetric("data_rcvd_total", value -> value >= received + subscribe.length() + tick.length(), WAIT);
        } finally {
            gate.release();
        }
        assertEquals(data("{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}"), c.receive());
        assertEquals(1000, c.awaitClose(WAIT).getCloseCode().getCode());
        // The session's finish runs behind its queued frames: once nobody is connected, they were all handled.
        server.awaitMetric("clients_num", value -> value == 0, WAIT);
        assertEquals(List.of(), commandsOf(sid));
    }

    @Test
    void duplicateRequestIdGetsAGeneratedSidAndBothSessionsStayRegistered() {
        server.awaitMetric("clients_num", value -> value == 0, WAIT);
        CableClient first = client("?n=dup1", withRequestId("req-42"));
        first.subscribe(identifier("EmptyChannel"));
        CableClient second = client("?n=dup2", withRequestId("req-42"));
        second.subscribe(identifier("EmptyChannel"));
        assertEquals("req-42", connectOf("n=dup1").sid());
        String generated = connectOf("n=dup2").sid();
        assertEquals(21, generated.length());
        assertEquals(2, server.metric("clients_num"));

        first.close();
        app.awaitCall("Disconnect", call -> url(call).contains("n=dup1"), WAIT);
        server.awaitMetric("clients_num", value -> value == 1, WAIT);
        // The survivor keeps working under its own sid.
        second.perform(identifier("EmptyChannel"), data(TICK));
        app.awaitCall("Command", call -> call.sid().equals(generated)
                && call.request(CommandMessage.class).getCommand().equals("message"), WAIT);
    }

    @Test
    void unsafeRequestIdsAreNotUsedAsSid() {
        List<String> unsafe = List.of("x".repeat(129), "with space", "quote\"d", "caf\u00e9");
        for (int i = 0; i < unsafe.size(); i++) {
            CableClient c = client("?n=unsafe" + i, withRequestId(unsafe.get(i)));
            c.subscribe(identifier("EmptyChannel"));
            String sid = connectOf("n=unsafe" + i).sid();
            assertNotEquals(unsafe.get(i), sid);
            assertEquals(21, sid.length(), unsafe.get(i));
        }
        CableClient longest = client("?n=longest", withRequestId("y".repeat(128)));
        longest.subscribe(identifier("EmptyChannel"));
        assertEquals("y".repeat(128), connectOf("n=longest").sid());
    }

    @Test
    void bytesReceivedAndFailedWritesAreCounted() throws IOException {
        CableClient c = client("", CableClient.Options.defaults().ignoring("ping"));
        assertFrame("{\"type\":\"welcome\"}", c.receive());
        long received = server.metric("data_rcvd_total");
        String ping = "{\"command\":\"ping\"}";
        c.send(ping);
        assertEquals(data("{\"type\":\"pong\"}"), c.receive());
        server.awaitMetric("data_rcvd_total", value -> value == received + ping.length(), WAIT);

        String id = identifier("StreamChannel");
        CableClient reader = client("");
        reader.subscribe(id);
        long failed = server.metric("failed_server_msg_total");
        try (NonReadingClient stuck = NonReadingClient.connect(server.ws("/cable"))) {
            stuck.subscribe(id);
            // More than the socket buffers take: the write to the stuck client stays in progress.
            broadcast("a", "{\"pad\":\"" + "z".repeat(6_000_000) + "\"}");
            broadcast("a", "{\"after\":1}");
            reader.receive();
            assertEquals(data(message(id, "{\"after\":1}")), reader.receive());
        }
        // The stuck client went away with the write unfinished.
        server.awaitMetric("failed_server_msg_total", value -> value > failed, WAIT);
    }

    /**
     * Subscribes, holds the app on a first perform and queues {@code queued} behind it, one of which makes the
     * server close the session once the app answers: the app must get no Command after the first perform, and
     * the session its one Disconnect.
     */
    private void assertNoCommandAfterTheFirst(String query, String firstData, List<String> queued, int closeCode) {
        String id = identifier("DisconnectorChannel");
        CableClient c = client(query);
        c.subscribe(id);
        String sid = connectOf(query.substring(1)).sid();
        FakeRpcApp.Gate gate = app.hold("Command");
        try {
            String first = perform(id, firstData);
            long received = server.metric("data_rcvd_total");
            c.send(first);
            gate.awaitBlocked(1, WAIT);
            queued.forEach(c::send);
            long expected = received + first.length() + queued.stream().mapToLong(String::length).sum();
            server.awaitMetric("data_rcvd_total", value -> value >= expected, WAIT);
        } finally {
            gate.release();
        }
        assertEquals(closeCode, c.awaitClose(WAIT).getCloseCode().getCode());
        app.awaitCall("Disconnect", call -> call.sid().equals(sid), WAIT);
        assertEquals(List.of("subscribe", "message"), commandsOf(sid));
        assertEquals(1, app.calls("Disconnect").stream().filter(call -> call.sid().equals(sid)).count());
    }

    /**
     * The same with a raw client that reads the server's close frame but never answers it, so the container
     * does not report the socket closed: only the server's own decision can stop the queued commands.
     */
    private void assertNoCommandAfterTheFirst(String query, RawAction decide, int closeCode) throws IOException {
        String id = identifier("DisconnectorChannel");
        try (NonReadingClient c = NonReadingClient.connect(server.ws("/cable" + query))) {
            c.subscribe(id);
            String sid = connectOf(query.substring(1)).sid();
            FakeRpcApp.Gate gate = app.hold("Command");
            int code;
            try {
                List<String> frames = new ArrayList<>(threeTicks());
                frames.addFirst(perform(id, TICK));
                long received = server.metric("data_rcvd_total");
                c.sendText(frames.getFirst());
                gate.awaitBlocked(1, WAIT);
                for (String frame : frames.subList(1, frames.size())) {
                    c.sendText(frame);
                }
                long expected = received + frames.stream().mapToLong(String::length).sum();
                server.awaitMetric("data_rcvd_total", value -> value >= expected, WAIT);
                decide.run(c);
                code = c.awaitCloseFrame();
            } finally {
                gate.release();
            }
            assertEquals(closeCode, code);
            app.awaitCall("Disconnect", call -> call.sid().equals(sid), WAIT);
            assertEquals(List.of("subscribe", "message"), commandsOf(sid));
        }
    }

    /** What the raw client does to make the server close. */
    private interface RawAction {
        void run(NonReadingClient client) throws IOException;
    }

    private List<String> threeTicks() {
        String tick = perform(identifier("DisconnectorChannel"), TICK);
        return List.of(tick, tick, tick);
    }

    private List<String> commandsOf(String sid) {
        List<String> commands = new ArrayList<>();
        for (FakeRpcApp.RecordedCall call : app.calls("Command")) {
            if (call.sid().equals(sid)) {
                commands.add(call.request(CommandMessage.class).getCommand());
            }
        }
        return commands;
    }

    private FakeRpcApp.RecordedCall connectOf(String marker) {
        return app.awaitCall("Connect", call -> url(call).contains(marker), WAIT);
    }

    private static String url(FakeRpcApp.RecordedCall call) {
        return switch (call.method()) {
            case "Connect" -> call.request(ConnectionRequest.class).getEnv().getUrl();
            case "Disconnect" -> call.request(DisconnectRequest.class).getEnv().getUrl();
            default -> call.request(CommandMessage.class).getEnv().getUrl();
        };
    }

    private static CableClient.Options withRequestId(String requestId) {
        return CableClient.Options.defaults().withHeader("X-Request-ID", requestId);
    }
}
