package io.jcable.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;

/** Reads {@code anycable_go_*} values from a server's Prometheus endpoint. */
final class MetricsReader implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI url;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();

    MetricsReader(URI url) {
        this.url = url;
    }

    /** The value of {@code anycable_go_<name>}, or empty when the server has none. */
    OptionalLong metric(String name) {
        String body;
        try {
            body = http.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        String prefix = "anycable_go_" + name + " ";
        for (String line : body.split("\n")) {
            if (line.startsWith(prefix)) {
                return OptionalLong.of((long) Double.parseDouble(line.substring(prefix.length()).trim()));
            }
        }
        return OptionalLong.empty();
    }

    /** The value, 0 when the server has none. */
    long value(String name) {
        return metric(name).orElse(0);
    }

    @Override
    public void close() {
        http.close();
    }
}
