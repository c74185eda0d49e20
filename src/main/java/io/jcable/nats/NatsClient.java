package io.jcable.nats;

import io.jcable.config.NatsConfig;
import io.jcable.metrics.Counter;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NATS connection, opened in the background (a NATS that is down at start never holds the deployment) and
 * reconnected forever by the client library, which also restores the subscriptions. Failures are logged with the
 * option to check and counted.
 */
public final class NatsClient {
    private static final Logger LOG = LoggerFactory.getLogger(NatsClient.class);
    private static final Duration RECONNECT_WAIT = Duration.ofSeconds(1);

    private final String name;
    private final Options options;
    private final Counter reconnects;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Consumer<Connection>> onConnect = new ArrayList<>();
    private volatile Connection connection;
    private volatile boolean connected;
    private volatile boolean stopped;

    /** @param name for logs (e.g. {@code nats broadcast}) */
    public NatsClient(String name, NatsConfig config, Counter reconnects) {
        this.name = name;
        this.reconnects = reconnects;
        this.options = Options.builder()
                .servers(config.servers().toArray(String[]::new))
                .connectionName("jcable " + name)
                .maxReconnects(-1)
                .reconnectWait(RECONNECT_WAIT)
                .connectionListener(new Listener())
                .errorListener(new Errors())
                .build();
    }

    /** Starts connecting; returns at once. */
    public void start() {
        try {
            Nats.connectAsynchronously(options, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isConnected() {
        return connected;
    }

    /** Runs {@code action} with the connection once it first connects (at once if it already has). */
    public void whenConnected(Consumer<Connection> action) {
        lock.lock();
        try {
            if (connection == null) {
                onConnect.add(action);
                return;
            }
        } finally {
            lock.unlock();
        }
        action.accept(connection);
    }

    /** The connection, or null before the first connect. */
    public Connection connection() {
        return connection;
    }

    public void stop() {
        stopped = true;
        Connection open = connection;
        if (open != null) {
            try {
                open.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Listener implements ConnectionListener {
        @Override
        public void connectionEvent(Connection conn, ConnectionListener.Events type) {
            switch (type) {
                // After a failed first attempt the library reports the first connection as a reconnect.
                case CONNECTED, RECONNECTED -> {
                    if (connection == null) {
                        firstConnect(conn);
                    } else {
                        connected = true;
                        LOG.info("{}: reconnected to NATS {}", name, conn.getConnectedUrl());
                    }
                }
                case DISCONNECTED -> {
                    if (connected && !stopped) {
                        reconnects.inc();
                        LOG.warn("{}: NATS connection lost; reconnecting (ANYCABLE_NATS_SERVERS={})", name,
                                options.getServers());
                    }
                    connected = false;
                }
                case CLOSED -> connected = false;
                default -> {
                }
            }
        }

        private void firstConnect(Connection conn) {
            List<Consumer<Connection>> actions;
            lock.lock();
            try {
                connection = conn;
                actions = new ArrayList<>(onConnect);
                onConnect.clear();
            } finally {
                lock.unlock();
            }
            if (stopped) {
                stop();
                return;
            }
            LOG.info("{}: connected to NATS {}", name, conn.getConnectedUrl());
            actions.forEach(action -> action.accept(conn));
            connected = true;
        }
    }

    private final class Errors implements ErrorListener {
        @Override
        public void errorOccurred(Connection conn, String error) {
            LOG.warn("{}: NATS error: {}", name, error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exception) {
            if (!stopped) {
                LOG.warn("{}: NATS at {} failed (check ANYCABLE_NATS_SERVERS): {}", name, options.getServers(),
                        exception.toString());
            }
        }
    }
}
