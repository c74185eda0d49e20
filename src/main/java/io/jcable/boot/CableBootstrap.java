package io.jcable.boot;

import io.jcable.broadcast.BroadcastAdapters;
import io.jcable.broadcast.BroadcastHandler;
import io.jcable.broadcast.HttpBroadcastServlet;
import io.jcable.broadcast.Publications;
import io.jcable.broker.Broker;
import io.jcable.broker.MemoryBroker;
import io.jcable.broker.MemorySessionCache;
import io.jcable.broker.NoBroker;
import io.jcable.broker.NoSessionCache;
import io.jcable.broker.RedisBroker;
import io.jcable.broker.RedisKeys;
import io.jcable.broker.RedisSessionCache;
import io.jcable.broker.SessionCache;
import io.jcable.config.AuthConfig;
import io.jcable.config.BrokerConfig;
import io.jcable.config.CableConfig;
import io.jcable.config.ConfigException;
import io.jcable.config.ConfigSource;
import io.jcable.config.DemoMode;
import io.jcable.demo.DemoPageServlet;
import io.jcable.health.Readiness;
import io.jcable.hub.Hub;
import io.jcable.jmx.CableStats;
import io.jcable.metrics.Metrics;
import io.jcable.presence.MemoryPresenceStore;
import io.jcable.presence.NoPresenceStore;
import io.jcable.presence.Presence;
import io.jcable.presence.PresenceStore;
import io.jcable.presence.RedisPresenceStore;
import io.jcable.protocol.Subprotocols;
import io.jcable.pubsub.LocalPubSub;
import io.jcable.pubsub.NatsPubSub;
import io.jcable.pubsub.PubSub;
import io.jcable.pubsub.RedisPubSub;
import io.jcable.redis.RedisConnector;
import io.jcable.redis.RedisOutage;
import io.jcable.redis.RedisWorkers;
import io.jcable.rpc.Controller;
import io.jcable.rpc.GrpcController;
import io.jcable.rpc.HttpController;
import io.jcable.session.DisconnectQueue;
import io.jcable.session.Node;
import io.jcable.session.Pinger;
import io.jcable.session.WriteWatch;
import io.jcable.standalone.NoRpcController;
import io.jcable.standalone.StandaloneAnswers;
import io.jcable.web.CableEndpoint;
import io.jcable.web.CableEndpointConfigurator;
import io.jcable.web.EndpointContext;
import io.jcable.web.HealthServlet;
import io.jcable.web.MetricsServlet;
import io.jcable.web.NotFoundServlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds jcable when the web app starts and takes it down when it stops. The only static entry point.
 * Start order: metrics → RPC client → pub/sub, hub, broker, session cache, presence, disconnect queue, node →
 * pinger → presence sweeper → pub/sub and broadcast adapters → endpoints and servlets → SIGTERM hook. Stop order is
 * the reverse, with the graceful client notice and the Disconnect drain first (bounded by
 * {@code ANYCABLE_SHUTDOWN_TIMEOUT}).
 */
public final class CableBootstrap implements ServletContextListener {
    private static final Logger LOG = LoggerFactory.getLogger(CableBootstrap.class);
    /** Container message buffer per socket, in characters or bytes; longer messages arrive in several parts. */
    private static final int MESSAGE_PART_SIZE = 2048;
    /** How long undeploy waits for each adapter's and the pub/sub's threads (it closes their sockets first). */
    private static final Duration CONNECTIONS_STOP_WAIT = Duration.ofMillis(500);

    private final ReentrantLock shutdownLock = new ReentrantLock();
    private final Function<ServletContext, ConfigSource> configSource;
    private CableConfig config;
    private Controller controller;
    private DisconnectQueue disconnects;
    private Node node;
    private Pinger pinger;
    private Broker broker;
    private SessionCache sessionCache;
    private Presence presence;
    private RedisConnector redisConnector;
    private PubSub pubsub;
    private BroadcastAdapters adapters;
    private CableStats stats;
    private TermSignal termSignal;
    private boolean drained;
    private String version;

    /** As a container deploys the WAR: system properties, then the environment, then the context's init parameters. */
    public CableBootstrap() {
        this(context -> ConfigSource.of(context::getInitParameter));
    }

    /** Options from {@code source} instead of the process's own: for an embedding that owns its configuration. */
    public CableBootstrap(ConfigSource source) {
        this(context -> source);
    }

    private CableBootstrap(Function<ServletContext, ConfigSource> configSource) {
        this.configSource = configSource;
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        ConfigSource source = configSource.apply(context);
        try {
            config = CableConfig.load(source);
        } catch (ConfigException e) {
            LOG.error("Invalid configuration: {}", e.getMessage());
            throw e;
        }
        version = version();
        redisConnector = new RedisConnector(config.redis());
        LOG.info("jcable {} starting as node {}: paths={} rpc={} broadcast={} pubsub={} redis={} channel={}", version,
                config.broadcast().nodeId(), config.server().paths(),
                config.auth().demo() == DemoMode.ON ? "none (demo mode)"
                        : config.auth().noRpc() ? "none (ANYCABLE_NORPC)" : CableConfig.maskedUrl(config.rpc().host()),
                config.broadcast().adapters(), config.broadcast().pubsub().name().toLowerCase(Locale.ROOT),
                redisConnector.describe(), config.broadcast().redisChannel());
        logStandalone(config.auth());
        config.ignored().forEach(name -> LOG.warn("{} is ignored: the servlet container owns sockets and TLS", name));
        source.unusedEnvironment().keySet().forEach(name -> LOG.warn("{} is not supported by jcable", name));

        try {
            start(context);
        } catch (RuntimeException | Error e) {
            // Containers need not call contextDestroyed after a failed start: stop what was started, in reverse.
            LOG.error("jcable failed to start: {}", e.toString());
            stopComponents();
            throw e;
        }
        LOG.info("jcable ready");
    }

    private void start(ServletContext context) {
        Metrics metrics = new Metrics(config.server().metricsTags());
        controller = config.auth().noRpc() ? new NoRpcController()
                : config.rpc().http() ? new HttpController(config.rpc(), metrics)
                : new GrpcController(config.rpc(), metrics);
        pubsub = switch (config.broadcast().pubsub()) {
            case NONE -> new LocalPubSub();
            case REDIS -> new RedisPubSub(redisConnector, config.broadcast().redisChannel(), metrics);
            case NATS -> new NatsPubSub(config.nats(), config.broadcast().natsChannel(), metrics);
        };
        Hub hub = new Hub(pubsub);
        startBroker();
        Publications publications = new Publications(hub, broker, pubsub, metrics);
        PresenceStore presenceStore = switch (config.broker().kind()) {
            case NONE -> new NoPresenceStore();
            case MEMORY -> new MemoryPresenceStore();
            case REDIS -> new RedisPresenceStore(redisConnector, config.broker().presenceTtl());
        };
        presence = new Presence(presenceStore, publications, config.broker().presenceTtl());
        disconnects = new DisconnectQueue(controller, config.rpc().disconnectBacklog(), config.rpc().disconnectRate(),
                config.rpc().concurrency(), metrics);
        WriteWatch writes = new WriteWatch();
        pinger = new Pinger(Clock.systemUTC(), writes, config.server().pingInterval(),
                config.server().pongTimeout());
        node = new Node(new StandaloneAnswers(config.auth(), Clock.systemUTC()), controller, hub, broker, sessionCache,
                presence, publications, disconnects, pinger, config.rpc().disconnectMode(),
                config.server().sidFromRequestId(), config.server().maxPendingInput(), metrics);
        BroadcastHandler broadcasts = new BroadcastHandler(publications, node.remoteDisconnects(), pubsub, metrics);
        adapters = new BroadcastAdapters(config.broadcast(), redisConnector, config.nats(), broadcasts, metrics);
        Readiness readiness = new Readiness();
        readiness.add("server", () -> !node.isShuttingDown(), "shutting down");
        if (!config.auth().noRpc()) {
            readiness.add("rpc", controller::reachable, "unreachable");
        }
        readiness.add("broadcast", adapters::isReady, "an adapter is not connected");
        readiness.add("pubsub", pubsub::isReady, "not connected");

        disconnects.start();
        pinger.start();
        presence.start();
        pubsub.start(broadcasts);
        adapters.start();
        EndpointContext endpoints = EndpointContext.create(node, writes, config.server(), config.rpc(), config.auth(),
                version, metrics);
        endpoints.installRemoteAddressFilter(context);
        registerEndpoints(context, endpoints);
        registerServlets(context, metrics, broadcasts, readiness);
        stats = new CableStats(metrics, new JmxOperations(node.remoteDisconnects(), broadcasts, this::drain),
                context.getContextPath());
        stats.register();
        termSignal = TermSignal.install(this::drain);
    }

    /** The broker and session cache of {@code ANYCABLE_BROKER}. */
    private void startBroker() {
        BrokerConfig options = config.broker();
        boolean cache = !options.sessionsTtl().isZero();
        switch (options.kind()) {
            case NONE -> {
                broker = new NoBroker();
                sessionCache = new NoSessionCache();
            }
            case MEMORY -> {
                broker = new MemoryBroker(options.historyLimit(), options.historyTtl());
                sessionCache = cache ? new MemorySessionCache(options.sessionsTtl()) : new NoSessionCache();
            }
            case REDIS -> {
                RedisOutage outage = new RedisOutage("The Redis broker", "history requests are refused "
                        + "(reject_history), broadcasts are delivered without positions, lost sessions are not "
                        + "kept for restore and live ones not written through", redisConnector.describe());
                broker = new RedisBroker(RedisKeys.DEFAULT, options.historyLimit(), options.historyTtl(),
                        new RedisWorkers("redis-broker-store", 1, redisConnector, outage),
                        new RedisWorkers("redis-broker-read", 2, redisConnector, outage));
                sessionCache = cache ? new RedisSessionCache(RedisKeys.DEFAULT, options.sessionsTtl(),
                        new RedisWorkers("redis-session-cache", 2, redisConnector, outage)) : new NoSessionCache();
                List<String> fanOut = config.broadcast().adapters().stream()
                        .filter(adapter -> adapter.equals("redis") || adapter.equals("nats")).toList();
                if (!fanOut.isEmpty()) {
                    LOG.warn("ANYCABLE_BROKER=redis: publications through the fan-out adapters {} reach every node "
                            + "and are delivered without positions (not stored); publish through http or redisx "
                            + "for history", fanOut);
                }
            }
        }
    }

    /** What the server decides itself; never a secret. */
    private static void logStandalone(AuthConfig auth) {
        if (auth.jwt()) {
            LOG.info("JWT identification is on (param {}, header X-{}, sub-protocol anycable-token.*; enforced: {})",
                    auth.jwtParam(), auth.jwtParam(), auth.enforceJwt());
        }
        LOG.info("Streams served without RPC: $pubsub (signed: {}, public: {}, whisper: {}, presence: {}), "
                        + "Turbo::StreamsChannel: {}, CableReady::Stream: {}", auth.streamsSecret() != null,
                auth.publicStreams(), auth.streamsWhisper(), auth.streamsPresence(), auth.turboSecret() != null,
                auth.cableReadySecret() != null);
        if (auth.demo() == DemoMode.ON) {
            LOG.warn("Demo mode (JCABLE_DEMO; scripts/run sets it when no application is configured): the demo page "
                    + "at /, public streams, HTTP broadcasts without a key, no RPC. To serve your application "
                    + "instead, set ANYCABLE_RPC_HOST (and ANYCABLE_SECRET); never expose demo mode");
            return;
        }
        if (auth.demo() == DemoMode.REFUSED) {
            LOG.info("JCABLE_DEMO is ignored: ANYCABLE_RPC_HOST or ANYCABLE_SECRET is set, so jcable serves the "
                    + "application");
        }
        if (auth.publicMode()) {
            LOG.warn("ANYCABLE_PUBLIC is on: every socket is accepted without authentication, any client may "
                    + "subscribe to any stream by name, and HTTP broadcasts need no key. Never use it in production");
        } else if (auth.noAuth()) {
            LOG.warn("ANYCABLE_NOAUTH is on: sockets without a token are accepted without authentication");
        }
        if (auth.noRpc()) {
            LOG.info("ANYCABLE_NORPC is on: no RPC call is ever made; sockets without a valid token are refused "
                    + "unless ANYCABLE_NOAUTH, and only $pubsub, Turbo and CableReady streams can be subscribed");
        }
    }

    private void registerEndpoints(ServletContext context, EndpointContext endpointContext) {
        ServerContainer container = (ServerContainer) context.getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new IllegalStateException("No jakarta.websocket ServerContainer: enable WebSocket support in the "
                    + "container (Jetty: module ee10-websocket-jakarta)");
        }
        // Messages are taken in parts (CableEndpoint): small container buffers, which Tomcat allocates per socket.
        container.setDefaultMaxTextMessageBufferSize(MESSAGE_PART_SIZE);
        container.setDefaultMaxBinaryMessageBufferSize(MESSAGE_PART_SIZE);
        for (String path : config.server().paths()) {
            try {
                container.addEndpoint(ServerEndpointConfig.Builder.create(CableEndpoint.class, path)
                        .subprotocols(Subprotocols.SUPPORTED)
                        .configurator(new CableEndpointConfigurator(endpointContext))
                        .build());
            } catch (DeploymentException e) {
                throw new IllegalStateException("Cannot register the WebSocket endpoint at " + path, e);
            }
        }
    }

    private void registerServlets(ServletContext context, Metrics metrics, BroadcastHandler broadcasts,
                                  Readiness readiness) {
        // Nothing of the web app is served as a file or listed: every other path is 404.
        context.addServlet("jcable-not-found", new NotFoundServlet()).addMapping("/");
        String health = config.server().healthPath();
        context.addServlet("jcable-health", new HealthServlet(readiness)).addMapping(health, health + "/*");
        if (config.server().metricsPath() != null) {
            context.addServlet("jcable-metrics", new MetricsServlet(metrics)).addMapping(config.server().metricsPath());
        }
        if (config.broadcast().http()) {
            if (config.broadcast().broadcastOpen()) {
                LOG.warn("HTTP broadcast at {} accepts unauthenticated requests (ANYCABLE_BROADCAST_KEY=none or "
                        + "ANYCABLE_PUBLIC): anyone who reaches this port can publish and disconnect users",
                        config.broadcast().httpPath());
            } else if (config.broadcast().broadcastKey() == null) {
                LOG.warn("HTTP broadcast at {} refuses every request: no key is configured (set "
                        + "ANYCABLE_BROADCAST_KEY or ANYCABLE_SECRET, or ANYCABLE_BROADCAST_KEY=none to accept "
                        + "unauthenticated broadcasts)", config.broadcast().httpPath());
            }
            context.addServlet("jcable-broadcast", new HttpBroadcastServlet(broadcasts, config.broadcast().broadcastKey(),
                    config.broadcast().broadcastOpen(), config.server().maxMessageSize() * 16))
                    .addMapping(config.broadcast().httpPath());
        }
        if (config.auth().demo() == DemoMode.ON) {
            String root = context.getContextPath();
            String broadcastPath = config.broadcast().http() ? root + config.broadcast().httpPath() : null;
            if (broadcastPath == null) {
                LOG.warn("The demo page cannot send messages: the http broadcast adapter is off "
                        + "(ANYCABLE_BROADCAST_ADAPTER)");
            }
            context.addServlet("jcable-demo", DemoPageServlet.load(context, root + config.server().paths().getFirst(),
                    broadcastPath)).addMapping("", DemoPageServlet.ASSET_PREFIX + "/*");
        }
    }

    /** Notify every client and drain the Disconnect queue; runs once (SIGTERM or undeploy, whichever first). */
    private void drain() {
        shutdownLock.lock();
        try {
            if (drained || node == null) {
                return;
            }
            drained = true;
            if (!config.shutdownDelay().isZero()) {
                LOG.info("Waiting {} s before shutting down", config.shutdownDelay().toSeconds());
                Thread.sleep(config.shutdownDelay());
            }
            node.shutdown(config.shutdownTimeout(), config.server().writeTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            shutdownLock.unlock();
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (termSignal != null) {
            termSignal.restore();
            termSignal = null;
        }
        drain();
        stopComponents();
        LOG.info("jcable stopped");
    }

    /** Stops whatever was started, in reverse order of start; each part only if it got that far. */
    private void stopComponents() {
        if (termSignal != null) {
            termSignal.restore();
        }
        if (stats != null) {
            stats.unregister();
        }
        if (adapters != null) {
            adapters.stop(CONNECTIONS_STOP_WAIT);
        }
        if (pubsub != null) {
            pubsub.stop(CONNECTIONS_STOP_WAIT);
        }
        if (presence != null) {
            presence.stop();
        }
        if (pinger != null) {
            pinger.stop();
        }
        if (broker != null) {
            broker.stop();
        }
        if (sessionCache != null) {
            sessionCache.stop();
        }
        if (disconnects != null) {
            disconnects.stop();
        }
        if (controller != null) {
            controller.close();
        }
    }

    private static String version() {
        Properties properties = new Properties();
        try (InputStream in = CableBootstrap.class.getResourceAsStream("/io/jcable/version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            LOG.debug("No version resource: {}", e.toString());
        }
        return properties.getProperty("version", "dev");
    }
}
