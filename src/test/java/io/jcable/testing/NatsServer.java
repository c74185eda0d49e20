package io.jcable.testing;

import io.nats.client.Connection;
import io.nats.client.Nats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/** A private {@code nats-server} on a free local port (no JetStream), with a client to publish from the test. */
public final class NatsServer implements AutoCloseable {
    private final LocalServerProcess process;

    private NatsServer(LocalServerProcess process) {
        this.process = process;
    }

    public static NatsServer start() {
        return new NatsServer(LocalServerProcess.start("nats-server",
                port -> List.of("-a", "127.0.0.1", "-p", Integer.toString(port))));
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
