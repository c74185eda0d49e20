package io.jcable.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Checks a jcable running in a process of its own (a container or {@code mvn jetty:run}) from outside, as a
 * browser and the app see it: against a private redis-server and the fake app (started here, closed by
 * {@link #close}), through the environment {@link #environment} gives the process. Each step prints one line
 * and throws {@link AssertionError} on failure; {@link #fail} prints the end of the server's log.
 */
public final class OutsideCheck implements AutoCloseable {
    private static final String RESTART = "{\"type\":\"disconnect\",\"reason\":\"server_restart\",\"reconnect\":true}";
    private static final Duration EXIT_WITHIN = Duration.ofSeconds(30);

    private final String label;
    private final RedisServer redis;
    private final FakeRpcApp app;
    private final String channel = "deploy_" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newHttpClient();

    public OutsideCheck(String label) {
        this.label = label;
        this.redis = RedisServer.start();
        this.app = FakeRpcApp.start(payload -> redis.publish(channel, payload));
    }

    /** The {@code ANYCABLE_*} options of the checked server: the fake app, the private Redis, metrics on. */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("ANYCABLE_RPC_HOST", app.target());
        env.put("ANYCABLE_REDIS_URL", redis.url());
        env.put("ANYCABLE_REDIS_CHANNEL", channel);
        env.put("ANYCABLE_BROADCAST_ADAPTER", "redis");
        env.put("ANYCABLE_HEADERS", "cookie,x-api-token");
        env.put("ANYCABLE_PATH", "/cable");
        env.put("ANYCABLE_METRICS_HTTP", "/metrics");
        return env;
    }

    /** Waits until {@code /health} answers 200 on {@code port}; returns the time since {@code startedNanos}. */
    public Duration awaitHealth(Process server, int port, long startedNanos, Duration within)
            throws InterruptedException {
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = startedNanos + within.toNanos();
        while (true) {
            expect(server.isAlive(), "the server exited with " + (server.isAlive() ? "" : server.exitValue()));
            try {
                if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
                    step("/health answers 200 " + took.toMillis() + " ms after launch");
                    return took;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            expect(System.nanoTime() < deadline, "no answer on port " + port + " within " + within);
            Thread.sleep(Duration.ofMillis(200));
        }
    }

    /**
     * A client with the {@code actioncable-v1-json} sub-protocol and an {@code x-api-token} header the app
     * requires: welcome, subscription, a Redis broadcast; then readiness, metrics, and nothing else served.
     */
    public CableClient session(int port) {
        URI url = URI.create("ws://127.0.0.1:" + port + "/cable?test=headers");
        CableClient client = CableClient.connect(url,
                CableClient.Options.defaults().ignoring("ping").withHeader("x-api-token", "abc"));
        expect(client.subprotocol().equals("actioncable-v1-json"), "sub-protocol " + client.subprotocol());
        JsonObject welcome = client.receive();
        expect(welcome.get("type").getAsString().equals("welcome"), "first frame " + welcome);
        step("upgrade with actioncable-v1-json, welcome from the app (x-api-token forwarded)");

        String identifier = CableClient.identifier("StreamChannel");
        client.subscribe(identifier);
        redis.publish(channel, "{\"stream\":\"a\",\"data\":\"{\\\"deployed\\\":true}\"}");
        JsonObject data = client.receive();
        expect(data.get("identifier").getAsString().equals(identifier)
                && data.get("message").equals(JsonParser.parseString("{\"deployed\":true}")), "broadcast " + data);
        step("subscribed through the app, Redis broadcast delivered");

        expect(get(port, "/health/ready").statusCode() == 200, "readiness " + get(port, "/health/ready").body());
        String metrics = get(port, "/metrics").body();
        expect(metrics.contains("anycable_go_clients_num 1.0\n") && metrics.contains("jvm_threads_current"),
                "metrics:\n" + metrics);
        for (String path : List.of("/", "/nothing", "/index.html")) {
            HttpResponse<String> response = get(port, path);
            expect(response.statusCode() == 404 && response.body().equals("Not Found\n"),
                    "GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        // The container itself refuses these before any servlet, with its own error page.
        for (String path : List.of("/WEB-INF/", "/WEB-INF/web.xml")) {
            expect(get(port, path).statusCode() == 404, "GET " + path + ": " + get(port, path).body());
        }
        step("/health/ready 200, /metrics, 404 for /, /WEB-INF/ and unknown paths");
        return client;
    }

    /**
     * History through the container's batching: two more broadcasts on stream {@code a} (the session's client
     * gets them), then an {@code actioncable-v1-ext-json} client subscribes with the history since a minute ago
     * and gets the three stored ones in order, then {@code confirm_history}, the replay written as one batch.
     */
    public void historyReplay(int port, CableClient session) {
        String identifier = CableClient.identifier("StreamChannel");
        for (int n = 2; n <= 3; n++) {
            redis.publish(channel, "{\"stream\":\"a\",\"data\":\"{\\\"n\\\":" + n + "}\"}");
            JsonObject data = session.receive();
            expect(data.get("message").equals(JsonParser.parseString("{\"n\":" + n + "}")), "broadcast " + data);
        }
        URI url = URI.create("ws://127.0.0.1:" + port + "/cable?test=history");
        try (CableClient client = CableClient.connect(url, CableClient.Options.defaults().ignoring("ping")
                .withHeader("x-api-token", "abc").withSubprotocols("actioncable-v1-ext-json"))) {
            expect(client.receive().get("type").getAsString().equals("welcome"), "no welcome");
            long since = System.currentTimeMillis() / 1000 - 60;
            client.send("{\"command\":\"subscribe\",\"identifier\":" + new JsonPrimitive(identifier)
                    + ",\"history\":{\"since\":" + since + "}}");
            JsonObject confirm = client.receive();
            expect(confirm.get("type").getAsString().equals("confirm_subscription"), "subscribe: " + confirm);
            for (long offset = 1; offset <= 3; offset++) {
                JsonObject entry = client.receive();
                expect(entry.has("offset") && entry.get("offset").getAsLong() == offset,
                        "entry " + offset + ": " + entry);
            }
            JsonObject end = client.receive();
            expect(end.get("type").getAsString().equals("confirm_history"), "after the entries: " + end);
        }
        step("extended client: subscribe with history, 3 entries in order, confirm_history");
    }

    /** SIGTERM: the client gets {@code server_restart} and 1001, its Disconnect is made, the process exits. */
    public void sigterm(Process server, CableClient client) throws InterruptedException {
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
        expect(app.calls("Disconnect").stream().anyMatch(call ->
                        call.request(DisconnectRequest.class).getEnv().getUrl().endsWith("?test=headers")),
                "no Disconnect call for the client: " + app.calls("Disconnect"));
        step("Disconnect made");
    }

    public void step(String line) {
        System.out.println(label + ": " + line);
    }

    /** Prints the failure and the end of the server's log. */
    public void fail(Throwable failure, Path log) throws IOException {
        System.out.println(label + ": FAIL: " + failure.getMessage());
        if (Files.exists(log)) {
            List<String> lines = Files.readAllLines(log);
            System.out.println("last lines of " + log + ":");
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.out::println);
        }
    }

    @Override
    public void close() {
        app.close();
        redis.close();
        http.close();
    }

    public static void expect(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    private HttpResponse<String> get(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
