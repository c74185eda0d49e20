package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.NonReadingClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What a hostile or broken client could do to the server before, each through a real socket. */
class HardeningTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Override
    protected void configure(Map<String, String> options) {
        // Calls held at the app's gate must not run out of their budget while a test floods behind them.
        options.put("rpc_command_timeout", "30000");
    }

    @Test
    void anAbsurdPingIntervalNeitherFailsTheConnectionNorLeaksTheSession() {
        server.awaitMetric("clients_num", value -> value == 0, WAIT);
        int count = 200;
        List<CableClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            CableClient c = client("?pi=99999999999&n=absurd-pi-" + i, CableClient.Options.defaults().ignoring("ping"));
            clients.add(c);
            assertFrame("{\"type\":\"welcome\"}", c.receive());
        }
        assertEquals(count, server.metric("clients_num"));
        clients.forEach(CableClient::close);
        server.awaitMetric("clients_num", value -> value == 0, WAIT);
        app.awaitCallCount("Disconnect", count, WAIT);
        assertEquals(count, connectsMarked("absurd-pi-"));
        assertEquals(count, app.calls("Disconnect").stream()
                .filter(call -> call.request(DisconnectRequest.class).getEnv().getUrl().contains("absurd-pi-"))
                .count());
    }

    @Test
    void aClientWithoutPingsThatAnswersNoWebSocketPingIsDroppedAndOneThatAnswersStays() throws Exception {
        try (CableServer own = startOwn(Map.of("ping_interval", "1"));
             NonReadingClient answering = NonReadingClient.connect(own.ws("/cable?pi=0&n=answering"));
             NonReadingClient silent = NonReadingClient.connect(own.ws("/cable?pi=0&n=silent"))) {
            PingAnswerer answerer = new PingAnswerer(answering);
            Thread answers = Thread.ofVirtual().start(answerer);
            // The silent one reads what arrives but never answers a ping: a peer that is gone.
            List<Integer> silentOpcodes = new ArrayList<>();
            String notice = null;
            while (notice == null) {
                NonReadingClient.Frame frame = silent.readFrame();
                silentOpcodes.add(frame.opcode());
                if (frame.opcode() == NonReadingClient.Frame.TEXT && frame.text().contains("disconnect")) {
                    notice = frame.text();
                }
            }
            assertEquals("{\"type\":\"disconnect\",\"reason\":\"no_pong\",\"reconnect\":true}", notice);
            assertTrue(silentOpcodes.contains(NonReadingClient.Frame.PING), "opcodes seen: " + silentOpcodes);
            assertEquals(1000, silent.awaitCloseFrame());
            app.awaitCall("Disconnect", call -> call.request(DisconnectRequest.class).getEnv().getUrl()
                    .contains("n=silent"), WAIT);

            // The answering one, opened at the same time, is pinged at the same pace and kept: three more rounds
            // after the silent one was dropped it is still served, and no protocol ping ever came.
            int seen = answerer.pings.get();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (answerer.pings.get() < seen + 3 && answerer.failure == null && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            answerer.stop = true;
            answers.join(WAIT);
            assertEquals(null, answerer.failure);
            assertTrue(answerer.pings.get() >= seen + 3, "pings answered: " + answerer.pings.get());
            assertEquals(List.of(), answerer.texts.stream()
                    .filter(text -> text.contains("\"ping\"") || text.contains("disconnect")).toList());
            answering.sendText("{\"command\":\"ping\"}");
            assertEquals("{\"type\":\"pong\"}", answering.awaitText(text -> !text.contains("welcome")));
            assertTrue(app.calls("Disconnect").stream().noneMatch(call ->
                    call.request(DisconnectRequest.class).getEnv().getUrl().contains("n=answering")));
        }
    }

    /** Answers every WebSocket ping of a raw client and keeps its text frames, until stopped. */
    private static final class PingAnswerer implements Runnable {
        private final NonReadingClient client;
        final AtomicInteger pings = new AtomicInteger();
        final List<String> texts = new CopyOnWriteArrayList<>();
        volatile boolean stop;
        volatile Exception failure;

        PingAnswerer(NonReadingClient client) {
            this.client = client;
        }

        @Override
        public void run() {
            try {
                while (!stop) {
                    NonReadingClient.Frame frame = client.readFrame();
                    if (frame.opcode() == NonReadingClient.Frame.PING) {
                        client.sendPong(frame.payload());
                        pings.incrementAndGet();
                    } else {
                        texts.add(frame.opcode() == NonReadingClient.Frame.TEXT ? frame.text() : "opcode " + frame.opcode());
                    }
                }
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    @Test
    void largeCommandsFloodingBehindAStalledCallCloseTheClientWith1008LongBeforeTheCountLimit() {
        String id = identifier("DisconnectorChannel");
        CableClient c = client("?n=big-flood");
        c.subscribe(id);
        String big = perform(id, "{\"action\":\"tick\",\"pad\":\"" + "x".repeat(60_000) + "\"}");
        FakeRpcApp.Gate gate = app.hold("Command");
        try {
            c.send(perform(id, "{\"action\":\"tick\"}"));
            gate.awaitBlocked(1, WAIT);
            // 1 MiB of queued input is about 17 of these; 1024 would be 60 MB.
            for (int i = 0; i < 40 && c.isOpen(); i++) {
                c.send(big);
            }
            assertEquals(1008, c.awaitClose(WAIT).getCloseCode().getCode());
        } finally {
            gate.release();
        }
        server.awaitMetric("clients_num", value -> value == 0, WAIT);
    }

    @Test
    void clientTextInLogsIsEscapedCutAndLimitedPerConnection() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String sid;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            CableClient c = client("?n=log-flood", CableClient.Options.defaults().ignoring("ping"));
            assertFrame("{\"type\":\"welcome\"}", c.receive());
            sid = app.awaitCall("Connect", call -> call.request(ConnectionRequest.class).getEnv().getUrl()
                    .contains("n=log-flood"), WAIT).sid();
            JsonObject longOne = new JsonObject();
            longOne.addProperty("command", "x".repeat(10_000));
            c.send(longOne.toString());
            JsonObject forged = new JsonObject();
            forged.addProperty("command", "bogus\n[main] ERROR FORGED line");
            for (int i = 0; i < 50; i++) {
                c.send(forged.toString());
            }
            // Commands run in order: the pong means every line above was handled.
            c.send("{\"command\":\"ping\"}");
            assertEquals(data("{\"type\":\"pong\"}"), c.receive());
        } finally {
            System.setErr(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains(sid)).toList();
        List<String> unsupported = lines.stream().filter(line -> line.contains("unsupported command")).toList();
        assertEquals(10, unsupported.size(), String.join("\n", lines));
        assertTrue(unsupported.getFirst().length() < 500, unsupported.getFirst());
        assertTrue(unsupported.getFirst().contains("…(10016 chars)"), unsupported.getFirst());
        assertTrue(unsupported.get(1).contains("bogus\\n[main] ERROR FORGED line"), unsupported.get(1));
        assertTrue(captured.toString(StandardCharsets.UTF_8).lines().noneMatch(line -> line.startsWith("[main] ERROR FORGED")));
        assertEquals(1, lines.stream().filter(line -> line.contains("too many log lines")).count(),
                String.join("\n", lines));
    }

    @Test
    void aFailedStartStopsTheThreadsItStarted() {
        Set<Long> before = jcableThreads().keySet();
        RuntimeException failure = CableServer.startWithoutWebSocket(CableServer.options(app, redis));
        assertTrue(String.valueOf(failure.getCause()).contains("WebSocket")
                || failure.toString().contains("WebSocket"), failure.toString());
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<Long, String> left = newThreads(before);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            left = newThreads(before);
        }
        assertEquals(Map.of(), left);
    }

    private static Map<Long, String> newThreads(Set<Long> before) {
        Map<Long, String> threads = jcableThreads();
        threads.keySet().removeAll(before);
        return threads;
    }

    /** Live platform threads that jcable names (jcable-pinger, jcable-redis-*, jcable-grpc-*, jcable-disconnect). */
    private static Map<Long, String> jcableThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith("jcable-"))
                .collect(Collectors.toMap(Thread::threadId, Thread::getName));
    }

    private long connectsMarked(String marker) {
        return app.calls("Connect").stream()
                .filter(call -> call.request(ConnectionRequest.class).getEnv().getUrl().contains(marker))
                .count();
    }
}
