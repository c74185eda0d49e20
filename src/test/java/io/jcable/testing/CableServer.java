package io.jcable.testing;

import io.jcable.boot.CableBootstrap;
import io.jcable.config.ConfigSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongPredicate;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * jcable's real {@link CableBootstrap} in an embedded Jetty 12 (ee10) on a free port, configured through
 * servlet context init parameters ({@code anycable.<name>}), as a container would deploy the WAR. The JVM's own
 * {@code ANYCABLE_*}, {@code JCABLE_*} and {@code REDIS_URL} variables and {@code anycable.*} / {@code jcable.*}
 * system properties are hidden from it (they would beat init parameters): a test runs the same whatever the
 * developer's shell exports.
 */
public final class CableServer implements AutoCloseable {
    /**
     * Created on first use: the server process of {@link EmbeddedCableMain} never needs it, and building one
     * loads the JDK's TLS stack (~500 classes, several MB) into a process whose memory the benchmarks measure.
     */
    private static final class Http {
        static final HttpClient CLIENT = HttpClient.newHttpClient();
    }

    /** The WAR's web content (the demo page's files), as the container serves it; tests run in the project directory. */
    private static final Path WEB_CONTENT = Path.of(System.getProperty("user.dir"), "src", "main", "webapp");

    /** The HTTP broadcast key of {@link #options}. */
    public static final String BROADCAST_KEY = "test-broadcast-key";

    private final Server server;
    private final ServletContextHandler context;
    private final int port;

    private CableServer(Server server, ServletContextHandler context, int port) {
        this.server = server;
        this.context = context;
        this.port = port;
    }

    /** Options as anycable names ({@code rpc_host}) or {@code jcable.*} keys, mapped to init parameters. */
    public static CableServer start(Map<String, String> options) {
        return start(options, System.getenv(), System::getProperty);
    }

    /**
     * The same, with {@code environment} and {@code systemProperties} standing for this JVM's own: what
     * {@link #start(Map)} hides, a test can supply here to see it hidden.
     */
    static CableServer start(Map<String, String> options, Map<String, String> environment,
                             Function<String, String> systemProperties) {
        return start(Deployment.isolated(options, environment, systemProperties), 0, false, true);
    }

    /**
     * Deploys jcable in a container without WebSocket support, where its start fails after it started its own
     * threads and connections; returns the container's failure. The container is stopped.
     */
    public static RuntimeException startWithoutWebSocket(Map<String, String> options) {
        try {
            start(Deployment.isolated(options, System.getenv(), System::getProperty), 0, false, false).close();
        } catch (IllegalStateException e) {
            return e;
        }
        throw new AssertionError("jcable started without WebSocket support");
    }

    /**
     * jcable configured the way a container configures the WAR, from this process's system properties and
     * environment, on {@code port} (0 = a free one): for {@link EmbeddedCableMain}, whose parent sets its
     * environment.
     */
    static CableServer startFromProcessSettings(int port, boolean stopAtShutdown) {
        return start(new Deployment(Map.of(), new CableBootstrap()), port, stopAtShutdown, true);
    }

    /** The context's init parameters and the bootstrap that reads its options. */
    private record Deployment(Map<String, String> initParameters, CableBootstrap bootstrap) {
        /** The options as init parameters, read with the process's own jcable settings hidden. */
        static Deployment isolated(Map<String, String> options, Map<String, String> environment,
                                   Function<String, String> systemProperties) {
            Map<String, String> initParameters = new LinkedHashMap<>();
            options.forEach((name, value) ->
                    initParameters.put(name.startsWith("jcable.") ? name : "anycable." + name, value));
            ConfigSource source = new ConfigSource(
                    name -> CableEnvironment.isCableProperty(name) ? null : systemProperties.apply(name),
                    CableEnvironment.withoutCableVariables(environment), initParameters::get);
            return new Deployment(initParameters, new CableBootstrap(source));
        }
    }

    private static CableServer start(Deployment deployment, int port, boolean stopAtShutdown, boolean webSocket) {
        // jcable never blocks container threads, so a small pool serves any number of sockets.
        Server server = new Server(new QueuedThreadPool(Integer.getInteger("jetty.threads.max", 200)));
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.setBaseResourceAsPath(WEB_CONTENT);
        deployment.initParameters().forEach(context::setInitParameter);
        if (webSocket) {
            JakartaWebSocketServletContainerInitializer.configure(context, null);
        }
        context.addEventListener(deployment.bootstrap());
        server.setHandler(context);
        server.setStopAtShutdown(stopAtShutdown);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception stopFailure) {
                e.addSuppressed(stopFailure);
            }
            throw new IllegalStateException("embedded jcable failed to start: " + e, e);
        }
        return new CableServer(server, context, connector.getLocalPort());
    }

    /** The usual options for a test: the fake app, the private Redis, metrics on /metrics. */
    public static Map<String, String> options(FakeRpcApp app, RedisServer redis) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("rpc_host", app.target());
        options.put("redis_url", redis.url());
        options.put("redis_channel", "__anycable__");
        options.put("broadcast_adapter", "redis,http");
        options.put("headers", "cookie,x-api-token");
        options.put("metrics_http", "/metrics");
        options.put("shutdown_timeout", "5");
        options.put("broadcast_key", BROADCAST_KEY);
        return options;
    }

    public int port() {
        return port;
    }

    /** {@code ws://127.0.0.1:<port><pathAndQuery>}. */
    public URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port + pathAndQuery);
    }

    public URI http(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    /**
     * Metric values by sample name (without the anycable_go_ prefix, with labels if any, e.g.
     * {@code rpc_call_duration_seconds_count{method="Connect"}}), read from the /metrics endpoint.
     */
    public Map<String, Long> metrics() {
        Map<String, Long> values = new HashMap<>();
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith("anycable_go_")) {
                int space = line.lastIndexOf(' ');
                values.put(line.substring("anycable_go_".length(), space),
                        (long) Double.parseDouble(line.substring(space + 1)));
            }
        }
        return values;
    }

    public long metric(String name) {
        return metrics().getOrDefault(name, 0L);
    }

    /** Polls /metrics until the metric satisfies the condition; fails with the last value seen after the timeout. */
    public long awaitMetric(String name, LongPredicate condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long value = metric(name);
        while (!condition.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("metric " + name + " never reached the expected value; last seen " + value);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
            value = metric(name);
        }
        return value;
    }

    /** POSTs a broadcast payload to {@code path} with the key of {@link #options}. */
    public HttpResponse<String> postBroadcast(String path, String body) {
        return send(HttpRequest.newBuilder(http(path)).header("Authorization", "Bearer " + BROADCAST_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(http(path)).GET().build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return Http.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Undeploys the web app while the connector is still up (graceful path), then stops Jetty. */
    public void stop() {
        try {
            context.stop();
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("embedded jcable failed to stop: " + e, e);
        }
    }

    @Override
    public void close() {
        if (server.isStarted()) {
            stop();
        }
    }
}
