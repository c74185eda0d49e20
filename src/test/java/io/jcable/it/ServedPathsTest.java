package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcable.testing.CableServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the web app serves over plain HTTP: its own paths, nothing of its files, 404 for anything else. */
class ServedPathsTest extends CableTestSupport {

    @Test
    void nothingOfTheWebAppIsListedOrServedAndUnknownPathsAre404() {
        for (String path : List.of("/", "/WEB-INF/", "/WEB-INF/web.xml", "/index.html", "/health/nope", "/cable",
                "/metrics/x")) {
            HttpResponse<String> response = server.get(path);
            assertEquals(404, response.statusCode(), path);
            assertEquals("Not Found\n", response.body(), path);
        }
        HttpResponse<String> post = server.send(HttpRequest.newBuilder(server.http("/anything"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertEquals(404, post.statusCode());
    }

    @Test
    void metricsTagsAreConstantLabelsOfEverySample() {
        try (CableServer own = startOwn(Map.of("metrics_tags", "env:ci,region:eu-1"))) {
            List<String> samples = Arrays.stream(own.get("/metrics").body().split("\n"))
                    .filter(line -> !line.startsWith("#")).toList();
            assertTrue(samples.contains("anycable_go_clients_num{env=\"ci\",region=\"eu-1\"} 0.0"), samples.toString());
            assertTrue(samples.stream().anyMatch(line -> line.startsWith(
                    "jvm_memory_used_bytes{area=\"heap\",env=\"ci\",region=\"eu-1\"}")), samples.toString());
            assertTrue(samples.stream().allMatch(line -> line.contains("env=\"ci\",")
                    && line.contains("region=\"eu-1\"")), samples.toString());
        }
    }
}
