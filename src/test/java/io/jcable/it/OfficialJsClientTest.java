package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.FakeRpcApp.RecordedCall;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official {@code @rails/actioncable} npm client, run by Node with {@code ws} as its WebSocket (see
 * {@code src/test/js}), against the embedded jcable: welcome, two subscriptions, a perform answered by the app, a
 * Redis broadcast, server pings accepted by the client's stale-connection monitor, a clean disconnect.
 *
 * <p>Needs {@code node} on the PATH and {@code npm ci --prefix src/test/js} run beforehand; fails (never skips)
 * otherwise.
 */
class OfficialJsClientTest extends CableTestSupport {
    private static final Path JS_DIR = Path.of(System.getProperty("user.dir"), "src", "test", "js");
    private static final Path SCRIPT = JS_DIR.resolve("actioncable-client.mjs");
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);
    /** Above the script's own timeout: the script reports its failure itself before this one fires. */
    private static final Duration PROCESS_WAIT = CLIENT_TIMEOUT.plusSeconds(10);
    private static final Duration RPC_WAIT = Duration.ofSeconds(5);
    private static final String EOF = "\u0000EOF";
    private static final String PERFORM_ID = "{\"channel\":\"PerformChannel\"}";
    private static final String STREAM_ID = "{\"channel\":\"StreamChannel\"}";

    @Override
    protected void configure(Map<String, String> options) {
        // pings every second so the client sees a few of them in a short test (the default is 3 s)
        options.put("ping_interval", "1");
    }

    @Test
    void officialClientConnectsSubscribesPerformsAndReceivesABroadcast() throws Exception {
        Path node = requireNodeAndPackages();
        String suffix = UUID.randomUUID().toString();
        String echoText = "echo-" + suffix;
        String broadcastText = "broadcast-" + suffix;

        ProcessBuilder builder = new ProcessBuilder(node.toString(), SCRIPT.toString(),
                server.ws("/cable").toString(), echoText, broadcastText)
                .directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true);
        builder.environment().put("ACTIONCABLE_CLIENT_TIMEOUT_MS", Long.toString(CLIENT_TIMEOUT.toMillis()));
        builder.environment().put("PINGS", "2");
        Process process = builder.start();
        process.getOutputStream().close();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().name("node-output").start(() -> pump(process, lines));
        List<String> output = new ArrayList<>();
        try {
            // the script prints SUBSCRIBED once both subscriptions are confirmed and the echo came back
            awaitLine(lines, output, "SUBSCRIBED");
            JsonObject data = new JsonObject();
            data.addProperty("text", broadcastText);
            broadcast("a", data.toString());
            awaitLine(lines, output, "DONE");
            drain(lines, output);
            if (!process.waitFor(PROCESS_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                fail("node did not exit within " + PROCESS_WAIT + "; output:\n" + String.join("\n", output));
            }
            reader.join(RPC_WAIT);
            drain(lines, output);
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        String transcript = String.join("\n", output);
        System.out.println("official @rails/actioncable client output:\n" + transcript);
        assertEquals(0, process.exitValue(), "node exit code; output:\n" + transcript);

        // client side: each step in order, as the official client saw it
        String sid = valueAfter(output, "WELCOME sid=");
        assertTrue(!sid.isEmpty() && !sid.equals("-"), "welcome must carry the sid; output:\n" + transcript);
        // the two confirmations may come in either order; PROTOCOL is printed once both connected callbacks fired
        assertInOrder(output, "WELCOME sid=" + sid, "CONNECTED PerformChannel", "PROTOCOL actioncable-v1-json");
        assertInOrder(output, "WELCOME sid=" + sid, "CONNECTED StreamChannel", "PROTOCOL actioncable-v1-json", "ECHO ok {\"response\":\"" + echoText + "\"}", "SUBSCRIBED",
                "BROADCAST ok {\"text\":\"" + broadcastText + "\"}", "PING ok 1", "PING ok 2", "PINGS ok", "DONE close=");
        assertTrue(output.stream().noneMatch(line -> line.startsWith("FAIL")), transcript);

        // server side: one connection (no reconnect), its sid in every RPC, the perform as sent by the client
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

        // the client's disconnect() reaches the app with both subscriptions
        RecordedCall disconnect = app.awaitCall("Disconnect", call -> sid.equals(call.sid()), RPC_WAIT);
        assertEquals(List.of(PERFORM_ID, STREAM_ID).stream().sorted().toList(),
                disconnect.request(DisconnectRequest.class).getSubscriptionsList().stream().sorted().toList());
    }

    /** The node executable from the PATH; fails with the setup command when node or the npm packages are missing. */
    private static Path requireNodeAndPackages() {
        String windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows") ? ".exe" : "";
        Path node = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "node" + windows);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                node = candidate;
                break;
            }
        }
        if (node == null) {
            fail("`node` (Node.js 18+) is not on the PATH; install it, then run `npm ci --prefix src/test/js`");
        }
        if (!Files.isRegularFile(SCRIPT)) {
            fail("missing " + SCRIPT);
        }
        Path actioncable = JS_DIR.resolve(Path.of("node_modules", "@rails", "actioncable", "package.json"));
        Path ws = JS_DIR.resolve(Path.of("node_modules", "ws", "package.json"));
        if (!Files.isRegularFile(actioncable) || !Files.isRegularFile(ws)) {
            fail("the npm packages of the official client test are not installed (" + JS_DIR.resolve("node_modules")
                    + "); run `npm ci --prefix src/test/js` from the project directory before `mvn test`");
        }
        return node;
    }

    private static void pump(Process process, BlockingQueue<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("FAIL reading node output: " + e);
        } finally {
            lines.add(EOF);
        }
    }

    /** Collects lines until one starts with {@code prefix}; fails on a FAIL line, end of output or timeout. */
    private static void awaitLine(BlockingQueue<String> lines, List<String> output, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + PROCESS_WAIT.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("no `" + prefix + "` line from node within " + PROCESS_WAIT + "; output:\n" + String.join("\n", output));
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                fail("node ended before `" + prefix + "`; output:\n" + String.join("\n", output));
            }
            output.add(line);
            if (line.startsWith("FAIL")) {
                fail("the official client failed: " + line + "\noutput:\n" + String.join("\n", output));
            }
            if (line.startsWith(prefix)) {
                return;
            }
        }
    }

    private static void drain(BlockingQueue<String> lines, List<String> output) {
        for (String line = lines.poll(); line != null; line = lines.poll()) {
            if (line.equals(EOF)) {
                lines.add(EOF);
                return;
            }
            output.add(line);
        }
    }

    private static String valueAfter(List<String> output, String prefix) {
        return output.stream().filter(line -> line.startsWith(prefix)).findFirst()
                .map(line -> line.substring(prefix.length()))
                .orElseThrow(() -> new AssertionError("no `" + prefix + "` line in:\n" + String.join("\n", output)));
    }

    /** Every expected prefix matches a line, each after the previous one's line. */
    private static void assertInOrder(List<String> output, String... prefixes) {
        int from = 0;
        for (String prefix : prefixes) {
            int found = -1;
            for (int i = from; i < output.size(); i++) {
                if (output.get(i).startsWith(prefix)) {
                    found = i;
                    break;
                }
            }
            if (found < 0) {
                throw new AssertionError("expected a line starting with `" + prefix + "` after line " + from
                        + " in:\n" + String.join("\n", output));
            }
            from = found + 1;
        }
    }
}
