package io.jcable.testing;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/** A private {@code nats-server} on a free local port (no JetStream), with a client to publish from the test. */
public final class NatsServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final LocalServerProcess process;
    private final int monitorPort;

    private NatsServer(LocalServerProcess process, int monitorPort) {
        this.process = process;
        this.monitorPort = monitorPort;
    }

    public static NatsServer start() {
        try {
            int monitorPort = LocalServerProcess.freePort();
            return new NatsServer(LocalServerProcess.start("nats-server", port -> List.of("-a", "127.0.0.1",
                    "-p", Integer.toString(port), "-m", Integer.toString(monitorPort))), monitorPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many client connections subscribe to exactly {@code subject} (the server's monitoring endpoint). */
    public long subscriberCount(String subject) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitorPort
                    + "/connz?subs=1")).build(), HttpResponse.BodyHandlers.ofString()).body();
            long count = 0;
            for (JsonElement connection : JsonParser.parseString(body).getAsJsonObject().getAsJsonArray("connections")) {
                JsonElement subscriptions = connection.getAsJsonObject().get("subscriptions_list");
                if (subscriptions != null && subscriptions.getAsJsonArray().contains(new JsonPrimitive(subject))) {
                    count++;
                }
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code nats://127.0.0.1:<port>}. */
    public String url() {
        return "nats://127.0.0.1:" + process.port();
    }

    /** Publishes one message on its own connection and flushes it out. */
    public void publish(String subject, String payload) {
        try (Connection connection = Nats.connect(url())) {
            connection.publish(subject, payload.getBytes(StandardCharsets.UTF_8));
            connection.flush(Duration.ofSeconds(5));
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("cannot publish to NATS at " + url(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void stop() {
        process.stop();
    }

    public void restart() {
        process.restart();
    }

    @Override
    public void close() {
        process.close();
    }
}
