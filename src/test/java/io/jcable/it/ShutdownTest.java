package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.EmbeddedCableMain;
import io.jcable.testing.FakeRpcApp;
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

    @Test
    void s15_undeployNotifiesEveryClientAndDrainsDisconnects() {
        Map<String, String> options = CableServer.options(app, redis);
        options.put("disconnect_rate", "1");
        CableServer own = CableServer.start(options);
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
        Map<String, String> options = CableServer.options(app, redis);
        options.put("disconnect_backlog_size", "1");
        options.put("disconnect_rate", "1");
        options.put("shutdown_timeout", "5");
        CableServer own = CableServer.start(options);
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
        Map<String, String> options = CableServer.options(app, redis);
        options.put("shutdown_timeout", "2");
        options.put("rpc_command_timeout", "30000");
        CableServer own = CableServer.start(options);
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
