package io.jcable.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A private {@code redis-server} process on a free local port, for tests that need real Redis pub/sub.
 * It can be stopped and restarted on the same port to simulate an outage; a shutdown hook kills it if the
 * JVM exits without {@link #close()}.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final JedisClientConfig CLIENT_CONFIG = DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(1000)
            .socketTimeoutMillis(2000)
            .autoNegotiateProtocol(false) // plain Jedis speaks RESP2 and warns on every connection otherwise
            .build();

    private final Path executable;
    private final int port;
    private final Path log;
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread reaper = new Thread(this::destroyNow, "redis-server-reaper");
    private volatile Process process;

    private RedisServer(Path executable, int port, Path log) {
        this.executable = executable;
        this.port = port;
        this.log = log;
    }

    /** Spawns {@code redis-server} on a free port and waits until it answers PING. */
    public static RedisServer start() {
        try {
            RedisServer server = new RedisServer(locateExecutable(), freePort(), Files.createTempFile("jcable-redis-", ".log"));
            server.launch();
            Runtime.getRuntime().addShutdownHook(server.reaper);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The TCP port Redis listens on (unchanged by {@link #restart()}). */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Terminates the process (no persistence is configured) and waits for it to exit. */
    public void stop() {
        lock.lock();
        try {
            if (process == null) {
                return;
            }
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping redis-server", e);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the server if it runs, then starts it again on the same port and waits for PING. */
    public void restart() {
        lock.lock();
        try {
            stop();
            launch();
        } finally {
            lock.unlock();
        }
    }

    /** PUBLISH; returns the number of subscribers that received the message. */
    public long publish(String channel, String message) {
        try (Jedis jedis = client()) {
            return jedis.publish(channel, message);
        }
    }

    /** {@code XADD stream * payload <payload>} (the {@code redisx} adapter's format). */
    public void xadd(String stream, String payload) {
        try (Jedis jedis = client()) {
            jedis.xadd(stream, StreamEntryID.NEW_ENTRY, Map.of("payload", payload));
        }
    }

    /** A connection of the test's own (the caller closes it). */
    public Jedis connect() {
        return client();
    }

    /** PUBSUB NUMSUB for one channel. */
    public long subscriberCount(String channel) {
        try (Jedis jedis = client()) {
            return jedis.pubsubNumSub(channel).getOrDefault(channel, 0L);
        }
    }

    /** {@code ACL SETUSER default <rules>}, e.g. {@code -subscribe} to refuse SUBSCRIBE to every client. */
    public void aclDefaultUser(String... rules) {
        try (Jedis jedis = client()) {
            jedis.aclSetUser("default", rules);
        }
    }

    /** Stops the server and deletes its log file. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException jvmExiting) {
            // the hook is running or about to; nothing left to undo
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shutdown hook: a test JVM that exits without {@link #close()} must not leave Redis running. */
    private void destroyNow() {
        Process running = process;
        if (running != null) {
            running.destroyForcibly();
        }
    }

    private Jedis client() {
        return new Jedis("127.0.0.1", port, CLIENT_CONFIG);
    }

    private void launch() {
        lock.lock();
        try {
            process = new ProcessBuilder(List.of(executable.toString(),
                    "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            awaitPing();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spawn " + executable, e);
        } finally {
            lock.unlock();
        }
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try (Jedis jedis = client()) {
                if ("PONG".equals(jedis.ping())) {
                    return;
                }
            } catch (JedisException notYet) {
                // still starting up
            }
            try {
                if (process.waitFor(50, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + logText());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting redis-server", e);
            }
            if (System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-server did not answer PING on port " + port
                        + " within " + START_TIMEOUT + ": " + logText());
            }
        }
    }

    private String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static Path locateExecutable() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), Stream.of("/usr/bin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "redis-server"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "redis-server not found on PATH or in /usr/bin: install it (e.g. apt-get install redis-server)"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
