package io.jcable.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.rpc.proto.DisconnectRequest;
import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The start contract that acceptance tests rely on, checked from outside exactly as they use it:
 * {@code mvn -B jetty:run -Djetty.http.port=P} with the {@code ANYCABLE_*} options in the environment, against a
 * private redis-server and the fake app. The endpoint {@code ws://127.0.0.1:P/cable} must accept upgrades within
 * 120 s, forward the configured headers, deliver the app's welcome, a subscription and a Redis broadcast; SIGTERM
 * must give the client {@code server_restart} and a 1001 close, make its Disconnect call, and end the process
 * within 30 s.
 *
 * <p>Run by {@code scripts/test} after {@code mvn test}, through the Maven profile {@code contract}: it cannot run
 * inside Surefire, because {@code jetty:run} builds into the same {@code target/}. Prints one line per step; exits
 * 1 on the first failure, after printing the end of the server's log.
 */
public final class StartContractCheck {
    private static final Duration UPGRADE_WITHIN = Duration.ofSeconds(120);
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(30);
    private static final String RESTART = "{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}";

    private StartContractCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path log = Path.of("target", "start-contract.log");
        String channel = "contract_" + UUID.randomUUID();
        try (RedisServer redis = RedisServer.start();
             FakeRpcApp app = FakeRpcApp.start(payload -> redis.publish(channel, payload))) {
            int port = freePort();
            ProcessBuilder builder = new ProcessBuilder("mvn", "-B", "jetty:run", "-Djetty.http.port=" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            // Only the check's own options: none the shell exports.
            CableEnvironment.replaceCableVariables(builder.environment(), Map.of("ANYCABLE_RPC_HOST", app.target(),
                    "ANYCABLE_REDIS_URL", redis.url(), "ANYCABLE_REDIS_CHANNEL", channel,
                    "ANYCABLE_BROADCAST_ADAPTER", "redis", "ANYCABLE_HEADERS", "cookie,x-api-token",
                    "ANYCABLE_PATH", "/cable"));
            Process server = builder.start();
            try {
                check(server, port, redis, channel, app);
                System.out.println("start contract: PASS");
            } catch (AssertionError | RuntimeException e) {
                System.out.println("start contract: FAIL: " + e.getMessage());
                List<String> lines = Files.readAllLines(log);
                System.out.println("last lines of " + log + ":");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.out::println);
                System.exit(1);
            } finally {
                server.destroyForcibly();
            }
        }
        // The shared WebSocket client container keeps non-daemon threads.
        System.exit(0);
    }

    private static void check(Process server, int port, RedisServer redis, String channel, FakeRpcApp app)
            throws InterruptedException {
        long started = System.nanoTime();
        awaitHealth(server, port);
        step("upgrades accepted " + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s after launch");

        URI url = URI.create("ws://127.0.0.1:" + port + "/cable?test=headers");
        CableClient client = CableClient.connect(url,
                CableClient.Options.defaults().ignoring("ping").withHeader("x-api-token", "abc"));
        expect(client.subprotocol().equals("actioncable-v1-json"), "sub-protocol " + client.subprotocol());
        JsonObject welcome = client.receive();
        expect(welcome.get("type").getAsString().equals("welcome"), "first frame " + welcome);
        step("welcome from the app (x-api-token forwarded): " + welcome);

        String identifier = CableClient.identifier("StreamChannel");
        client.subscribe(identifier);
        redis.publish(channel, "{\"stream\":\"a\",\"data\":\"{\\\"contract\\\":true}\"}");
        JsonObject data = client.receive();
        expect(data.get("identifier").getAsString().equals(identifier)
                && data.get("message").equals(JsonParser.parseString("{\"contract\":true}")), "broadcast " + data);
        step("subscribed, Redis broadcast delivered");

        long term = System.nanoTime();
        server.destroy();
        JsonObject notice = client.receive();
        expect(notice.equals(JsonParser.parseString(RESTART)), "after SIGTERM " + notice);
        CloseReason close = client.awaitClose(Duration.ofSeconds(5));
        expect(close.getCloseCode().getCode() == 1001, "close " + close);
        expect(server.waitFor(EXIT_WITHIN.toSeconds(), TimeUnit.SECONDS),
                "still running " + EXIT_WITHIN.toSeconds() + " s after SIGTERM");
        step("SIGTERM: server_restart, close 1001, exit after "
                + Duration.ofNanos(System.nanoTime() - term).toMillis() + " ms");
        expect(app.calls("Disconnect").stream()
                .anyMatch(call -> call.request(DisconnectRequest.class).getEnv().getUrl().endsWith("?test=headers")),
                "no Disconnect call for the client: " + app.calls("Disconnect"));
        step("Disconnect made");
    }

    private static void awaitHealth(Process server, int port) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + UPGRADE_WITHIN.toNanos();
        while (true) {
            expect(server.isAlive(), "mvn jetty:run exited with " + (server.isAlive() ? "" : server.exitValue()));
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            expect(System.nanoTime() < deadline, "no answer on port " + port + " within " + UPGRADE_WITHIN);
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static void step(String line) {
        System.out.println("start contract: " + line);
    }

    private static void expect(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }
}
