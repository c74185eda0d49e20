package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.EmbeddedCableMain;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.NonReadingClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: every client is told {@code server_restart} (1001) and every Disconnect is made. */
class ShutdownTest extends CableTestSupport {
    private static final String RESTART = "{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}";
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void s15_undeployNotifiesEveryClientAndDrainsDisconnects() {
        CableServer own = startOwn(Map.of("disconnect_rate", "1"));
        List<CableClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CableClient c = track(CableClient.connect(own.ws("/cable?test=reasons&reason=server_restart&n=" + i),
                    CableClient.Options.defaults().ignoring("ping")));
            assertFrame("{\"type\":\"welcome\"}", c.receive());
            c.subscribe(identifier("EmptyChannel"));
            clients.add(c);
        }
        own.stop();
        for (CableClient c : clients) {
            assertEquals(data(RESTART), c.receive());
            assertEquals(1001, c.awaitClose(Duration.ofSeconds(5)).getCloseCode().getCode());
        }
        // Drained without the 1/s rate limit before stop() returned.
        assertEquals(3, shutdownDisconnects());
    }

    @Test
    void moreSessionsThanTheBacklogAllGetTheirDisconnectWithoutTheRateLimit() {
        CableServer own = startOwn(Map.of("disconnect_backlog_size", "1", "disconnect_rate", "1",
                "shutdown_timeout", "5"));
        List<CableClient> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            CableClient c = track(CableClient.connect(own.ws("/cable?test=reasons&reason=server_restart&n=" + i)));
            c.subscribe(identifier("EmptyChannel"));
            clients.add(c);
        }
        long started = System.nanoTime();
        own.stop();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        for (CableClient c : clients) {
            assertEquals(data(RESTART), c.receive());
        }
        List<String> sids = app.calls("Disconnect").stream()
                .filter(call -> call.request(DisconnectRequest.class).getEnv().getUrl().contains("server_restart"))
                .map(FakeRpcApp.RecordedCall::sid).sorted().toList();
        assertEquals(8, sids.size(), sids.toString());
        assertEquals(8, sids.stream().distinct().count(), sids.toString());
        // At the normal rate of 1 per second, eight calls through a backlog of one would take the whole timeout.
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "undeploy took " + took);
    }

    @Test
    void anAppHoldingDisconnectCallsCannotStretchTheShutdownPastItsTimeout() {
        CableServer own = startOwn(Map.of("shutdown_timeout", "2", "rpc_command_timeout", "30000"));
        for (int i = 0; i < 3; i++) {
            track(CableClient.connect(own.ws("/cable?test=reasons&reason=server_restart&n=held" + i)))
                    .subscribe(identifier("EmptyChannel"));
        }
        FakeRpcApp.Gate gate = app.hold("Disconnect");
        try {
            long started = System.nanoTime();
            own.stop();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            gate.awaitBlocked(3, Duration.ofSeconds(1));
            // The calls' own 30 s budget is cut to the shutdown deadline; what follows waits only briefly.
            assertTrue(took.compareTo(Duration.ofMillis(2_000 + 2_500)) < 0, "undeploy took " + took);
        } finally {
            gate.release();
        }
    }

    @Test
    void undeployWaitsUntilASlowReaderHasItsNotice() throws Exception {
        CableServer own = startOwn(Map.of("shutdown_timeout", "10", "ws_write_timeout", "60"));
        String id = identifier("StreamChannel");
        CableClient reader = track(CableClient.connect(own.ws("/cable")));
        reader.subscribe(id);
        try (NonReadingClient slow = NonReadingClient.connect(own.ws("/cable?test=reasons&reason=server_restart&n=slow"))) {
            slow.subscribe(id);
            String sid = app.awaitCall("Connect", call -> connectUrl(call).contains("n=slow"), WAIT).sid();
            // More than the socket buffers take: the notice will queue behind this write.
            broadcast("a", "{\"pad\":\"" + "z".repeat(8_000_000) + "\"}");
            broadcast("a", "{\"after\":1}");
            reader.receive();
            assertEquals(data(message(id, "{\"after\":1}")), reader.receive());

            Thread undeploy = Thread.ofVirtual().start(own::stop);
            // The session's Disconnect comes after its notice was queued.
            app.awaitCall("Disconnect", call -> call.sid().equals(sid), WAIT);
            assertFalse(undeploy.join(Duration.ofMillis(500)), "undeploy went on while the notice was unsent");

            boolean restartSeen = false;
            NonReadingClient.Frame frame;
            while ((frame = slow.readFrame()).opcode() != NonReadingClient.Frame.CLOSE) {
                restartSeen |= frame.opcode() == NonReadingClient.Frame.TEXT && frame.text().equals(RESTART);
            }
            assertTrue(restartSeen, "no server_restart before the close");
            assertEquals(1001, frame.closeCode());
            slow.sendClose(1001);
            assertTrue(undeploy.join(WAIT), "undeploy still waiting after the close handshake");
        }
    }

    @Test
    void aClientThatNeverAnswersTheCloseHoldsTheShutdownOnlyForTheWriteTimeout() throws Exception {
        CableServer own = startOwn(Map.of("shutdown_timeout", "30", "ws_write_timeout", "1"));
        try (NonReadingClient frozen = NonReadingClient.connect(own.ws("/cable?n=frozen"))) {
            frozen.subscribe(identifier("EmptyChannel"));
            Thread undeploy = Thread.ofVirtual().start(own::stop);
            // Its notice and close fit in the socket buffers; only the close handshake stays unanswered.
            assertTrue(undeploy.join(Duration.ofSeconds(15)), "undeploy waited for a close that never comes");
            String restart = frozen.awaitText(text -> text.contains("server_restart"));
            assertEquals(RESTART, restart);
            assertEquals(1001, frozen.awaitCloseFrame());
        }
    }

    @Test
    void shutdownDelayKeepsServingBeforeTheSequenceStarts() throws InterruptedException {
        CableServer own = startOwn(Map.of("shutdown_delay", "2"));
        String id = identifier("PerformChannel");
        CableClient c = track(CableClient.connect(own.ws("/cable")));
        c.subscribe(id);
        long started = System.nanoTime();
        Thread undeploy = Thread.ofVirtual().start(own::stop);
        c.perform(id, data("{\"action\":\"tick\"}"));
        assertEquals(data(message(id, "\"tock\"")), c.receive());
        assertEquals(data(RESTART), c.receive());
        Duration notifiedAfter = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(notifiedAfter.compareTo(Duration.ofSeconds(2)) >= 0, "notified after " + notifiedAfter);
        assertEquals(1001, c.awaitClose(WAIT).getCloseCode().getCode());
        assertTrue(undeploy.join(WAIT), "undeploy did not finish");
    }

    @Test
    void sigtermNotifiesClientsBeforeTheConnectorStopsAndExitsPromptly() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                EmbeddedCableMain.class.getName());
        builder.environment().put("ANYCABLE_RPC_HOST", app.target());
        builder.environment().put("ANYCABLE_REDIS_URL", redis.url());
        builder.environment().put("ANYCABLE_DISCONNECT_MODE", "always");
        builder.environment().put("ANYCABLE_DISCONNECT_RATE", "1");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        try {
            BufferedReader output = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            int port = awaitReady(output);
            Thread.ofVirtual().start(() -> output.lines().forEach(line -> { }));
            List<CableClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                CableClient c = track(CableClient.connect(
                        URI.create("ws://127.0.0.1:" + port + "/cable?test=reasons&reason=server_restart&n=" + i)));
                c.subscribe(identifier("EmptyChannel"));
                clients.add(c);
            }
            process.destroy();
            for (CableClient c : clients) {
                assertEquals(data(RESTART), c.receive());
                assertEquals(1001, c.awaitClose(Duration.ofSeconds(5)).getCloseCode().getCode());
            }
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "jcable did not exit within 30 s of SIGTERM");
            assertEquals(3, shutdownDisconnects());
        } finally {
            process.destroyForcibly();
        }
    }

    private long shutdownDisconnects() {
        return app.calls("Disconnect").stream()
                .filter(call -> call.request(DisconnectRequest.class).getEnv().getUrl().contains("server_restart"))
                .count();
    }

    private static String connectUrl(FakeRpcApp.RecordedCall call) {
        return call.request(ConnectionRequest.class).getEnv().getUrl();
    }

    private static int awaitReady(BufferedReader output) throws IOException {
        String line;
        while ((line = output.readLine()) != null) {
            if (line.startsWith("READY ")) {
                return Integer.parseInt(line.substring("READY ".length()).trim());
            }
        }
        throw new AssertionError("jcable process exited before it was ready");
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
