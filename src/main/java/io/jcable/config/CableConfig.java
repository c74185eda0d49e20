package io.jcable.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The whole, validated configuration.
 *
 * @param shutdownTimeout {@code ANYCABLE_SHUTDOWN_TIMEOUT}, seconds, default 30: notify clients and drain Disconnects
 * @param shutdownDelay   {@code ANYCABLE_SHUTDOWN_DELAY}, seconds, default 0: wait before the shutdown sequence
 * @param ignored         options that make no sense in a WAR and were set (logged at start)
 */
public record CableConfig(ServerConfig server, RpcConfig rpc, BroadcastConfig broadcast,
                          Duration shutdownTimeout, Duration shutdownDelay, List<String> ignored) {

    private static final Set<String> KNOWN_ADAPTERS = Set.of("redis", "http");
    /** Label names jcable's own and the JVM's metrics use, which a constant label must not repeat. */
    private static final Set<String> RESERVED_LABELS = Set.of("method", "le", "quantile", "area", "pool", "gc", "state");
    private static final List<String> NOT_APPLICABLE_IN_WAR =
            List.of("host", "port", "ssl_cert", "ssl_key", "metrics_host", "metrics_port", "http_broadcast_port");

    /** Reads and validates every option; throws {@link ConfigException} naming the first bad one. */
    public static CableConfig load(ConfigSource source) {
        OptionReader options = new OptionReader(source);

        PingPrecision precision = PingPrecision.parse(options.string("ping_timestamp_precision", "s"));
        if (precision == null) {
            throw OptionReader.invalid("ping_timestamp_precision",
                    options.string("ping_timestamp_precision", ""), "must be s, ms or ns");
        }
        ServerConfig server = new ServerConfig(
                options.paths("path", "/cable"),
                options.list("allowed_origins", ""),
                Duration.ofSeconds(options.integer("ping_interval", 3, 1)),
                precision,
                options.integer("max_message_size", 65536, 1),
                options.integer("ws_max_pending_size", 1_048_576, 1),
                Duration.ofSeconds(options.integer("ws_write_timeout", 2, 1)),
                options.path("health_path", "/health"),
                options.path("metrics_http", null),
                options.labels("metrics_tags", RESERVED_LABELS),
                options.jcableBool("sid_from_request_id", false));

        DisconnectMode mode = options.choice("disconnect_mode", DisconnectMode.class, DisconnectMode.AUTO);
        if (options.bool("disable_disconnect", false)) {
            mode = DisconnectMode.NEVER;
        }
        String rpcHost = options.string("rpc_host", "localhost:50051");
        if (rpcHost.startsWith("http://") || rpcHost.startsWith("https://")) {
            throw OptionReader.invalid("rpc_host", rpcHost,
                    "HTTP RPC is not supported yet; use host:port, dns:///host:port or grpc-list://h1:p1,h2:p2");
        }
        RpcConfig rpc = new RpcConfig(
                rpcHost,
                rpcHost.startsWith(RpcAddress.LIST_PREFIX) ? RpcAddress.parseList("rpc_host", rpcHost) : List.of(),
                options.integer("rpc_concurrency", 28, 1),
                options.millis("rpc_request_timeout", 0),
                Duration.ofMillis(options.integer("rpc_command_timeout", 3000, 1)),
                options.list("headers", "cookie").stream().map(h -> h.toLowerCase(Locale.ROOT)).toList(),
                options.list("proxy_cookies", ""),
                mode,
                options.integer("disconnect_rate", 100, 1),
                options.integer("disconnect_backlog_size", 4096, 1));

        Set<String> adapters = new LinkedHashSet<>();
        for (String adapter : options.list("broadcast_adapter", "http,redis")) {
            String name = adapter.toLowerCase(Locale.ROOT);
            if (!KNOWN_ADAPTERS.contains(name)) {
                throw OptionReader.invalid("broadcast_adapter", adapter, "supported adapters are redis and http");
            }
            adapters.add(name);
        }
        String redisUrl = source.anycable("redis_url");
        if (redisUrl == null) {
            redisUrl = source.env("REDIS_URL");
        }
        if (redisUrl == null) {
            redisUrl = "redis://localhost:6379";
        }
        if (!redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")) {
            throw OptionReader.invalid("redis_url", redisUrl, "must start with redis:// or rediss://");
        }
        String broadcastKey = options.secret("broadcast_key");
        String secret = options.secret("secret");
        if (broadcastKey == null && source.anycable("broadcast_key") == null && secret != null) {
            broadcastKey = hmacHex(secret, "broadcast-cable");
        }
        BroadcastConfig broadcast = new BroadcastConfig(Set.copyOf(adapters), redisUrl,
                options.string("redis_channel", "__anycable__"),
                options.path("http_broadcast_path", "/_broadcast"),
                broadcastKey);

        List<String> ignored = new ArrayList<>(NOT_APPLICABLE_IN_WAR.stream()
                .filter(name -> source.anycable(name) != null)
                .map(OptionReader::envName)
                .toList());
        // anycable-go also takes its port from $PORT; in a WAR the container's connector decides.
        if (source.env("PORT") != null) {
            ignored.add("PORT");
        }
        return new CableConfig(server, rpc, broadcast,
                options.seconds("shutdown_timeout", 30), options.seconds("shutdown_delay", 0), List.copyOf(ignored));
    }

    /** Lower-case hex HMAC-SHA256 of {@code label} keyed by {@code secret}, as anycable-go derives keys. */
    static String hmacHex(String secret, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(label.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
