package io.jcable.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

import io.jcable.testing.EmbeddedCableMain;
import io.jcable.testing.FakeRpcApp;
import io.jcable.testing.RedisServer;
import io.jcable.testing.WarDeployment;

/**
 * The server under test and what the tool can reach of it: its Action Cable URL, the process to measure, its
 * metrics and its broadcast ingest. Either started here (private redis-server, the fake gRPC app with its
 * BenchmarkChannel in this process, jcable in its own JVM pinned with taskset) or an external server.
 */
final class Target implements AutoCloseable {
    private final URI cableUrl;
    private final ProcessProbe server;
    private final URI metricsUrl;
    private final URI redisUrl;
    private final URI broadcastUrl;
    private final String redisChannel;
    private final String secret;
    private final FakeRpcApp app;
    private final List<String> description;
    private final Deque<AutoCloseable> resources;
    private final MetricsReader metrics;

    private Target(URI cableUrl, ProcessProbe server, URI metricsUrl, URI redisUrl, URI broadcastUrl,
                   String redisChannel, String secret, FakeRpcApp app, List<String> description,
                   Deque<AutoCloseable> resources) {
        this.cableUrl = cableUrl;
        this.server = server;
        this.metricsUrl = metricsUrl;
        this.redisUrl = redisUrl;
        this.broadcastUrl = broadcastUrl;
        this.redisChannel = redisChannel;
        this.secret = secret;
        this.app = app;
        this.description = description;
        this.resources = resources;
        this.metrics = metricsUrl == null ? null : new MetricsReader(metricsUrl);
    }

    static Target open(TargetOptions options) {
        return options.selfHosted() ? selfHosted(options) : external(options);
    }

    private static Target external(TargetOptions options) {
        ProcessProbe probe = options.serverPid() > 0 ? new ProcessProbe(options.serverPid()) : null;
        List<String> description = new ArrayList<>();
        description.add("server: external, " + options.url()
                + (probe == null ? ", no process measured (give --server-pid)"
                : ", pid " + probe.pid() + " on CPUs " + probe.cpus() + ", JVM flags: " + probe.jvmFlags()));
        description.add("server metrics: " + (options.metricsUrl() == null ? "none" : options.metricsUrl())
                + "; publish paths: redis " + (options.redisUrl() == null ? "none" : options.redisUrl())
                + ", http " + (options.broadcastUrl() == null ? "none" : options.broadcastUrl()));
        return new Target(options.url(), probe, options.metricsUrl(), options.redisUrl(), options.broadcastUrl(),
                options.redisChannel(), options.secret(), null, description, new ArrayDeque<>());
    }

    /**
     * The Node reference server ({@link ReferenceServer}) from {@code source}, on the fake gRPC app, Redis and
     * channel of {@code jcable} (an own target) and on the CPUs of {@code options}; broadcasts reach it by Redis only.
     */
    static Target reference(TargetOptions options, Path source, Target jcable) {
        if (jcable.app == null || jcable.redisUrl == null) {
            throw new IllegalArgumentException("the reference server needs the tool's own jcable target (no --url)");
        }
        ReferenceServer reference = ReferenceServer.start(source, jcable.app.target(), jcable.redisUrl.toString(),
                jcable.redisChannel, options.serverCpus());
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        resources.push(reference);
        try {
            ProcessProbe probe = new ProcessProbe(reference.pid());
            List<String> description = List.of("server: the Node reference server (temporary copy of " + source
                    + " after npm ci), pid " + probe.pid() + " on CPUs " + probe.cpus() + ", "
                    + "node " + reference.nodeVersion() + "; the same fake gRPC app, Redis and channel as jcable; "
                    + "broadcasts by Redis only");
            return new Target(URI.create("ws://127.0.0.1:" + reference.port() + "/cable"), probe, null,
                    jcable.redisUrl, null, jcable.redisChannel, null, null, description, resources);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    private static Target selfHosted(TargetOptions options) {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            RedisServer redis = RedisServer.start();
            resources.push(redis);
            URI redisUrl = URI.create(redis.url());
            Publisher.Redis appPublisher = new Publisher.Redis(redisUrl, options.redisChannel());
            resources.push(appPublisher);
            FakeRpcApp app = FakeRpcApp.start(appPublisher::send);
            resources.push(app);
            app.latency(options.appLatency());
            // The tool never reads the app's calls; keeping them all would grow this JVM's heap, and its GC
            // pauses (60-75 ms at 5,000 performs/s) would show up as latency.
            app.recordCalls(false);

            Map<String, String> own = new LinkedHashMap<>();
            own.put("ANYCABLE_RPC_HOST", app.target());
            own.put("ANYCABLE_REDIS_URL", redis.url());
            own.put("ANYCABLE_REDIS_CHANNEL", options.redisChannel());
            own.put("ANYCABLE_BROADCAST_ADAPTER", "redis,http");
            // One node: no pub/sub between nodes (the Redis URL alone would turn it on); the nodes scenario
            // starts its own cluster beside it.
            own.put("ANYCABLE_PUBSUB", "none");
            // The generator publishes over loopback without a key.
            own.put("ANYCABLE_BROADCAST_KEY", "none");
            own.put("ANYCABLE_METRICS_HTTP", "/metrics");
            own.put("ANYCABLE_SHUTDOWN_TIMEOUT", "2");
            // Scenarios close thousands of clients between two measurements: at the default 100/s their Disconnects
            // (a limit that protects the application, here the tool's fake app) would trickle through the next one.
            own.put("ANYCABLE_DISCONNECT_RATE", "10000");
            // JWT identification and signed streams for the standalone scenario; connections without a token
            // (every other scenario) go to the application as before.
            String secret = options.secret() != null ? options.secret() : randomSecret();
            own.put("ANYCABLE_JWT_SECRET", secret);
            own.put("ANYCABLE_STREAMS_SECRET", secret);
            own.put("MALLOC_ARENA_MAX", System.getenv().getOrDefault("MALLOC_ARENA_MAX", TargetOptions.MALLOC_ARENAS));
            Map<String, String> env = new LinkedHashMap<>(options.serverSettings());
            env.putAll(own);
            ServerProcess process = options.war()
                    ? ServerProcess.startWar(options.serverJvm(), options.serverCpus(), env)
                    : ServerProcess.start(options.serverJvm(), options.serverCpus(), env);
            resources.push(process);
            ProcessProbe probe = new ProcessProbe(process.pid());
            String base = "http://127.0.0.1:" + process.port();

            List<String> inherited = options.serverSettings().keySet().stream()
                    .filter(name -> !own.containsKey(name))
                    .sorted().toList();
            List<String> description = new ArrayList<>();
            description.add("server: " + (options.war()
                    ? "the built WAR as ROOT.war of a standalone Jetty 12 (modules " + WarDeployment.JETTY_MODULES
                    + ", " + String.join(" ", WarDeployment.JETTY_SETTINGS) + ")"
                    : "jcable in its own JVM (" + EmbeddedCableMain.class.getSimpleName() + ", embedded Jetty)")
                    + ", pid " + probe.pid() + " on CPUs " + probe.cpus()
                    + ", JVM flags: " + probe.jvmFlags());
            description.add("server settings: " + own.entrySet().stream()
                    .filter(entry -> !entry.getKey().endsWith("_HOST") && !entry.getKey().endsWith("_URL"))
                    .map(entry -> entry.getKey() + "=" + (entry.getKey().endsWith("_SECRET") ? "<secret>"
                            : entry.getValue())).toList()
                    + (inherited.isEmpty() ? "" : ", from the environment: " + inherited)
                    + "; private redis-server on port " + redis.port()
                    + "; fake gRPC app in the generator process, " + options.appLatency().toMillis() + " ms per call");
            Target target = new Target(URI.create("ws://127.0.0.1:" + process.port() + "/cable"), probe,
                    URI.create(base + "/metrics"), redisUrl, URI.create(base + "/_broadcast"), options.redisChannel(),
                    secret, app, description, resources);
            target.awaitRedisSubscription();
            return target;
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    URI cableUrl() {
        return cableUrl;
    }

    /** The Redis this target's jcable uses, or null. */
    URI redisUrl() {
        return redisUrl;
    }

    /** The gRPC target of the fake app (own target only). */
    String appTarget() {
        if (app == null) {
            throw new IllegalArgumentException("this scenario needs its own target (no --url)");
        }
        return app.target();
    }

    /** The HTTP broadcast endpoint, or null. */
    URI broadcastUrl() {
        return broadcastUrl;
    }

    /** The server's JWT and streams secret, or null when unknown (an external server without --secret). */
    String secret() {
        return secret;
    }

    /** Lines describing the server, its settings and its process, for the results. */
    List<String> description() {
        return description;
    }

    /** The server process, or null when none is measured. */
    ProcessProbe server() {
        return server;
    }

    /** CPU seconds of the server process so far, or NaN when no process is measured. */
    double cpuSeconds() {
        return server == null ? Double.NaN : server.cpuSeconds();
    }

    /** User-space CPU seconds of the server process so far (without the kernel's share), or NaN. */
    double userCpuSeconds() {
        return server == null ? Double.NaN : server.userCpuSeconds();
    }

    /** Seconds the server JVM spent in garbage collection so far, or NaN when it is not a reachable JVM. */
    double gcSeconds() {
        return server == null ? Double.NaN : server.gcSeconds().orElse(Double.NaN);
    }

    /** RSS of the server process in KiB, or -1 when no process is measured. */
    long rssKiB() {
        return server == null ? -1 : server.rssKiB();
    }

    /**
     * Hands every call the tool's fake app receives from now on to {@code listener}; false (and nothing happens)
     * for an external server, whose app this tool does not see.
     */
    boolean watchAppCalls(Consumer<FakeRpcApp.RecordedCall> listener) {
        if (app == null) {
            return false;
        }
        app.onCall(listener);
        return true;
    }

    /** A publisher for one ingest path; the action path broadcasts through the generator's first client. */
    Publisher publisher(String path, LoadGenerator generator) {
        return switch (path) {
            case "redis" -> {
                if (redisUrl == null) {
                    throw new IllegalArgumentException("path redis needs --redis-url for an external server");
                }
                yield new Publisher.Redis(redisUrl, redisChannel);
            }
            case "http" -> {
                if (broadcastUrl == null) {
                    throw new IllegalArgumentException("path http needs --broadcast-url for an external server");
                }
                yield new Publisher.Http(broadcastUrl);
            }
            case "action" -> new Publisher.Action(generator.clients().getFirst());
            default -> throw new IllegalArgumentException("unknown publish path " + path);
        };
    }

    /** An {@code anycable_go_<name>} value from the server's metrics; empty when it has none or no endpoint. */
    OptionalLong metric(String name) {
        return metrics == null ? OptionalLong.empty() : metrics.metric(name);
    }

    /**
     * Waits (bounded) until the server counts no clients and no queued Disconnect calls, so that one phase's
     * leftovers do not skew the next; returns at once when the server has no metrics.
     */
    void awaitQuiet(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while ((metric("clients_num").orElse(0) > 0 || metric("disconnect_queue_size").orElse(0) > 0)
                && System.nanoTime() < deadline) {
            Timing.sleep(Duration.ofMillis(50));
        }
    }

    @Override
    public void close() {
        closeAll(resources);
        if (metrics != null) {
            metrics.close();
        }
    }

    private void awaitRedisSubscription() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (metric("redis_subscribed").orElse(0) != 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("jcable did not subscribe to Redis within 10 s");
            }
            Timing.sleep(Duration.ofMillis(50));
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Closes in reverse start order (jcable, app, publisher, Redis); every one is tried. */
    private static void closeAll(Deque<AutoCloseable> resources) {
        RuntimeException failure = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("cleanup failed: " + e, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
