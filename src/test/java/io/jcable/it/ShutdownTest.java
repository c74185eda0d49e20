package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableEnvironment;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: every client is told {@code server_restart} (1001) and every Disconnect is made. */
class ShutdownTest extends CableTestSupport {
    private static final String RESTART = "{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}";
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** Far below the calls' budget and far above the shutdown timeout of the test that waits this long. */
    private static final Duration UNDEPLOY_WAIT = Duration.ofSeconds(30);
    /** Undeploy waiting for the notified sockets to close. */
    private static final List<String> AWAIT_NOTICES = List.of("io.jcable.session.GracefulShutdown.awaitNotices");
    /** Undeploy in {@code ANYCABLE_SHUTDOWN_DELAY}, before the shutdown sequence. */
    private static final List<String> SHUTDOWN_DELAY = List.of("java.lang.Thread.sleep", "io.jcable.boot.CableBootstrap.drain");

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
        // Every Disconnect was made before stop() returned.
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
        own.stop();
        for (CableClient c : clients) {
            assertEquals(data(RESTART), c.receive());
        }
        // At the normal rate of 1 per second, eight calls would not fit in the 5 s shutdown timeout, which ends
        // the drain: all eight made means the rate limit was lifted.
        List<String> sids = app.calls("Disconnect").stream()
                .filter(call -> call.request(DisconnectRequest.class).getEnv().getUrl().contains("server_restart"))
                .map(FakeRpcApp.RecordedCall::sid).sorted().toList();
        assertEquals(8, sids.size(), sids.toString());
        assertEquals(8, sids.stream().distinct().count(), sids.toString());
    }

    @Test
    void anAppHoldingDisconnectCallsCannotStretchTheShutdownPastItsTimeout() throws InterruptedException {
        // The calls' own budget is ten minutes: only the 2 s shutdown deadline can end them.
        CableServer own = startOwn(Map.of("shutdown_timeout", "2", "rpc_command_timeout", "600000"));
        for (int i = 0; i < 3; i++) {
            track(CableClient.connect(own.ws("/cable?test=reasons&reason=server_restart&n=held" + i)))
                    .subscribe(identifier("EmptyChannel"));
        }
        FakeRpcApp.Gate gate = app.hold("Disconnect");
        try {
            Thread undeploy = Thread.ofVirtual().start(own::stop);
            gate.awaitBlocked(3, WAIT);
            // Undeploy ends while the app still holds all three calls (the gate is never opened before this).
            assertTrue(undeploy.join(UNDEPLOY_WAIT), "undeploy waited for the held Disconnect calls");
            gate.awaitBlocked(3, WAIT);
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
            // Undeploy waits for the notified sockets to close while this client has read nothing: its notice is
            // still queued behind the big frame, so the connectors cannot be stopped yet.
            awaitInside(undeploy, AWAIT_NOTICES);

            boolean restartSeen = false;
            NonReadingClient.Frame frame;
            while ((frame = slow.readFrame()).opcode() != NonReadingClient.Frame.CLOSE) {
                restartSeen |= frame.opcode() == NonReadingClient.Frame.TEXT && frame.text().equals(RESTART);
            }
            assertTrue(restartSeen, "no server_restart before the close");
            assertEquals(1001, frame.closeCode());
            slow.sendClose(1001);
            assertTrue(undeploy.join(WAIT), "undeploy still waiting once the client had its notice");
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
        // Seconds of delay: room for one perform's round trip on a busy machine once the delay is seen to run.
        CableServer own = startOwn(Map.of("shutdown_delay", "3"));
        String id = identifier("PerformChannel");
        CableClient c = track(CableClient.connect(own.ws("/cable")));
        c.subscribe(id);
        Thread undeploy = Thread.ofVirtual().start(own::stop);
        // Undeploy has begun and sits in its delay: the session is still served, and only then notified.
        awaitInside(undeploy, SHUTDOWN_DELAY);
        c.perform(id, data("{\"action\":\"tick\"}"));
        assertEquals(data(message(id, "\"tock\"")), c.receive());
        assertEquals(data(RESTART), c.receive());
        assertEquals(1001, c.awaitClose(WAIT).getCloseCode().getCode());
        assertTrue(undeploy.join(WAIT), "undeploy did not finish");
    }

    @Test
    void sigtermNotifiesClientsBeforeTheConnectorStopsAndExitsPromptly() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                EmbeddedCableMain.class.getName());
        CableEnvironment.replaceCableVariables(builder.environment(), Map.of("ANYCABLE_RPC_HOST", app.target(),
                "ANYCABLE_REDIS_URL", redis.url(), "ANYCABLE_DISCONNECT_MODE", "always", "ANYCABLE_DISCONNECT_RATE", "1"));
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

    /**
     * Waits until {@code thread} runs inside all of {@code frames} ({@code Class.method}, outermost last): a
     * point the code under test reaches, seen from outside through the thread's stack.
     */
    private static void awaitInside(Thread thread, List<String> frames) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!isInside(thread, frames)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(thread + " never ran inside " + frames + " within " + WAIT + "; stack now: "
                        + List.of(thread.getStackTrace()));
            }
            Thread.onSpinWait();
        }
    }

    private static boolean isInside(Thread thread, List<String> frames) {
        List<String> stack = Stream.of(thread.getStackTrace())
                .map(frame -> frame.getClassName() + "." + frame.getMethodName()).toList();
        return stack.containsAll(frames);
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
