package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Demo mode ({@code jcable.demo}): the demo page at the root, driven in Debian's Chromium through playwright-core
 * (two tabs chat, the page's curl command reaches both, HTML in a message stays text), the page's fixed set of
 * files, public streams and open HTTP broadcasts without an application; and no demo next to an application.
 *
 * <p>Needs the {@code chromium} binary (scripts/test installs Debian's package) and {@code npm ci --prefix
 * src/test/js}; fails (never skips) otherwise.
 */
class DemoModeTest {
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(60);
    private static final Path SCREENSHOT = Path.of(System.getProperty("user.dir"), "target", "demo-chat.png");

    private static CableServer startDemo(Map<String, String> extra) {
        Map<String, String> options = new LinkedHashMap<>(Map.of("jcable.demo", "true",
                "broadcast_adapter", "http", "shutdown_timeout", "2"));
        options.putAll(extra);
        return CableServer.start(options);
    }

    @Test
    void twoBrowserTabsChatThroughTheDemoPage() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            fail(CHROMIUM + " is missing: install Debian's browser with `apt-get install -y chromium` "
                    + "(scripts/test does)");
        }
        Files.deleteIfExists(SCREENSHOT);
        try (CableServer server = startDemo(Map.of())) {
            Map<String, String> env = Map.of("DEMO_TIMEOUT_MS", Long.toString(PAGE_TIMEOUT.toMillis()),
                    "CHROMIUM", CHROMIUM.toString());
            NodeClient page = NodeClient.start("demo page in Chromium", "demo-page.mjs", List.of("playwright-core"),
                    PAGE_TIMEOUT, env, server.http("/").toString(), SCREENSHOT.toString());
            int exitCode;
            try (page) {
                page.awaitLine("DONE");
                exitCode = page.awaitExit();
            }
            String transcript = page.transcript();
            System.out.println("demo page in Chromium:\n" + transcript);
            assertEquals(0, exitCode, "node exit code; output:\n" + transcript);
            page.assertNoFailure();
            page.assertInOrder("STATUS connected | connected", "JOINED room-", "CHAT ok", "CURL curl -X POST -d '",
                    "CURL ok", "ESCAPED ok", "SCREENSHOT ", "DONE");
            assertTrue(page.valueAfter("CURL curl").endsWith(" " + server.http("/_broadcast")), transcript);
            assertTrue(Files.size(SCREENSHOT) > 0, "screenshot " + SCREENSHOT);
        }
    }

    @Test
    void theRootServesThePageAndOnlyItsFiles() {
        try (CableServer server = startDemo(Map.of())) {
            HttpResponse<String> index = server.get("/");
            assertEquals(200, index.statusCode());
            assertEquals("text/html;charset=utf-8", contentType(index));
            assertTrue(index.body().contains("data-cable-path=\"/cable\" data-broadcast-path=\"/_broadcast\""),
                    index.body());
            assertTrue(index.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
            assertEquals("image/svg+xml", contentType(server.get("/demo/favicon.svg")));
            for (String asset : List.of("/demo/demo.js", "/demo/cable-client.js")) {
                HttpResponse<String> response = server.get(asset);
                assertEquals(200, response.statusCode(), asset);
                assertEquals("text/javascript;charset=utf-8", contentType(response), asset);
            }
            assertEquals("text/css;charset=utf-8", contentType(server.get("/demo/demo.css")));
            for (String path : List.of("/demo", "/demo/", "/demo/index.html", "/demo/../WEB-INF/web.xml",
                    "/WEB-INF/demo/index.html", "/index.html", "/demo/nothing.js")) {
                assertEquals(404, server.get(path).statusCode(), path);
            }
            assertEquals(405, server.send(HttpRequest.newBuilder(server.http("/"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build()).statusCode());
        }
    }

    @Test
    void demoModeServesPublicStreamsAndOpenBroadcastsWithoutAnApplication() {
        CableClient.Options seeingWelcome = new CableClient.Options(Map.of(), List.of("actioncable-v1-json"),
                Set.of("ping"));
        try (CableServer server = startDemo(Map.of());
             CableClient client = CableClient.connect(server.ws("/cable"), seeingWelcome)) {
            assertEquals("welcome", client.receive().get("type").getAsString(), "no Connect: nothing to ask");
            String identifier = CableClient.identifier("$pubsub", "stream_name", "lobby");
            client.subscribe(identifier);
            HttpResponse<String> posted = server.send(HttpRequest.newBuilder(server.http("/_broadcast"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":\"lobby\",\"data\":\"{\\\"text\\\":\\\"hi\\\"}\"}"))
                    .build());
            assertEquals(201, posted.statusCode());
            JsonObject expected = new JsonObject();
            expected.addProperty("identifier", identifier);
            expected.add("message", JsonParser.parseString("{\"text\":\"hi\"}"));
            assertEquals(expected, client.receive());
        }
    }

    @Test
    void demoModeNeverStartsNextToAnApplication() {
        for (Map<String, String> application : List.of(Map.of("rpc_host", "127.0.0.1:1"), Map.of("secret", "s3cret"))) {
            try (CableServer server = startDemo(application)) {
                assertEquals(404, server.get("/").statusCode(), application.toString());
                assertEquals(404, server.get("/demo/demo.js").statusCode(), application.toString());
                HttpResponse<String> posted = server.send(HttpRequest.newBuilder(server.http("/_broadcast"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":\"lobby\",\"data\":\"1\"}")).build());
                assertEquals(401, posted.statusCode(), application.toString());
            }
        }
    }

    @Test
    void withoutDemoModeThereIsNoPage() {
        try (CableServer server = CableServer.start(Map.of("broadcast_adapter", "http", "shutdown_timeout", "2"))) {
            assertEquals(404, server.get("/").statusCode());
            assertEquals(404, server.get("/demo/demo.js").statusCode());
        }
    }

    private static String contentType(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase();
    }
}
