package io.jcable.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
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
 * @param auth            JWT identification, signed streams and the standalone modes
 * @param broker          the broker and its history (extended protocol)
 * @param shutdownTimeout {@code ANYCABLE_SHUTDOWN_TIMEOUT}, seconds, default 30: notify clients and drain Disconnects
 * @param shutdownDelay   {@code ANYCABLE_SHUTDOWN_DELAY}, seconds, default 0: wait before the shutdown sequence
 * @param ignored         options that make no sense in a WAR and were set (logged at start)
 */
public record CableConfig(ServerConfig server, RpcConfig rpc, BroadcastConfig broadcast, AuthConfig auth,
                          RedisConfig redis, NatsConfig nats, BrokerConfig broker, Duration shutdownTimeout,
                          Duration shutdownDelay, List<String> ignored) {

    private static final Set<String> KNOWN_ADAPTERS = Set.of("redis", "http", "redisx", "nats");
    private static final String NODE_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    /** Label names jcable's own and the JVM's metrics use, which a constant label must not repeat. */
    private static final Set<String> RESERVED_LABELS =
            Set.of("method", "le", "quantile", "area", "pool", "gc", "state");
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
                options.jcableBool("sid_from_request_id", false),
                options.jcableInteger("max_pending_input_size", 1_048_576, 1),
                options.seconds("pong_timeout", 0));

        String secret = options.secret("secret");
        AuthConfig auth = AuthConfig.load(options, secret);
        DisconnectMode mode = options.choice("disconnect_mode", DisconnectMode.class, DisconnectMode.AUTO);
        if (options.bool("disable_disconnect", false) || auth.noRpc()) {
            mode = DisconnectMode.NEVER;
        }
        String rpcHost = options.string("rpc_host", "localhost:50051");
        if (RpcConfig.isHttpUrl(rpcHost)) {
            checkHttpRpcUrl(rpcHost);
        }
        String httpRpcKey = derivedKey(options, "http_rpc_secret", secret, "rpc-cable");
        if (RpcConfig.isHttpUrl(rpcHost) && httpRpcKey != null
                && !httpRpcKey.chars().allMatch(c -> c >= ' ' && c < 0x7f)) {
            // The value is a secret: the message must not show it.
            throw new ConfigException(OptionReader.envName("http_rpc_secret")
                    + ": must be printable ASCII (it is sent in the Authorization header)");
        }
        RpcConfig rpc = new RpcConfig(
                rpcHost,
                rpcHost.startsWith(RpcAddress.LIST_PREFIX) ? RpcAddress.parseList("rpc_host", rpcHost) : List.of(),
                httpRpcKey,
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
                throw OptionReader.invalid("broadcast_adapter", adapter,
                        "supported adapters are http, redis, redisx and nats");
            }
            adapters.add(name);
        }
        RedisConfig redis = redis(source, options);
        NatsConfig nats = new NatsConfig(options.list("nats_servers", "nats://127.0.0.1:4222"));
        for (String natsServer : nats.servers()) {
            if (!natsServer.matches("(nats|tls|ws|wss)://.+")) {
                throw OptionReader.invalid("nats_servers", natsServer, "each server must be a nats://host:port URL");
            }
        }
        String broadcastKey = derivedKey(options, "broadcast_key", secret, "broadcast-cable");
        boolean broadcastOpen = broadcastKey == null && options.isSet("broadcast_key");
        if (auth.publicMode()) {
            // ANYCABLE_PUBLIC: HTTP broadcasts need no key, whatever else is set (as in anycable-go).
            broadcastKey = null;
            broadcastOpen = true;
        }
        PubSubKind pubsub = options.choice("pubsub", PubSubKind.class, null);
        if (pubsub == null) {
            pubsub = redis.explicit() || adapters.contains("redisx") ? PubSubKind.REDIS : PubSubKind.NONE;
        }
        String nodeId = options.string("node_id", null);
        BroadcastConfig broadcast = new BroadcastConfig(Set.copyOf(adapters),
                options.string("redis_channel", "__anycable__"),
                options.path("http_broadcast_path", "/_broadcast"),
                broadcastKey, broadcastOpen,
                options.string("redisx_stream", "__anycable__"),
                options.string("nats_channel", "__anycable__"),
                pubsub,
                nodeId == null ? randomNodeId() : nodeId);

        List<String> ignored = new ArrayList<>(NOT_APPLICABLE_IN_WAR.stream()
                .filter(name -> source.anycable(name) != null)
                .map(OptionReader::envName)
                .toList());
        // anycable-go also takes its port from $PORT; in a WAR the container's connector decides.
        if (source.env("PORT") != null) {
            ignored.add("PORT");
        }
        return new CableConfig(server, rpc, broadcast, auth, redis, nats, BrokerConfig.load(options),
                options.seconds("shutdown_timeout", 30), options.seconds("shutdown_delay", 0), List.copyOf(ignored));
    }

    private static RedisConfig redis(ConfigSource source, OptionReader options) {
        String url = source.anycable("redis_url");
        if (url == null) {
            url = source.env("REDIS_URL");
        }
        boolean explicit = url != null;
        if (url == null) {
            url = RedisConfig.DEFAULT_URL;
        }
        if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
            throw OptionReader.invalid("redis_url", maskedUrl(url), "must start with redis:// or rediss://");
        }
        List<String> sentinels = options.list("redis_sentinels", "");
        for (String sentinel : sentinels) {
            if (!sentinel.matches("[^:\\s]+:\\d{1,5}")) {
                throw OptionReader.invalid("redis_sentinels", sentinel, "each sentinel must be host:port");
            }
        }
        return new RedisConfig(url, sentinels, explicit);
    }

    private static String randomNodeId() {
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            id.append(NODE_ID_ALPHABET.charAt(random.nextInt(NODE_ID_ALPHABET.length())));
        }
        return id.toString();
    }

    /**
     * A key option: its own value; else, unless it is {@code none}, the key derived from {@code ANYCABLE_SECRET}
     * with {@code label} (null when there is no secret either).
     */
    private static String derivedKey(OptionReader options, String name, String secret, String label) {
        String key = options.secret(name);
        if (key == null && !options.isSet(name) && secret != null) {
            key = hmacHex(secret, label);
        }
        return key;
    }

    /** An HTTP RPC base URL: absolute, with a host, no credentials (use the key) and no fragment. */
    private static void checkHttpRpcUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw OptionReader.invalid("rpc_host", maskedUrl(url), "not a valid URL: " + e.getReason());
        }
        if (uri.getRawUserInfo() != null) {
            throw OptionReader.invalid("rpc_host", maskedUrl(url),
                    "credentials in the URL are not sent; use ANYCABLE_HTTP_RPC_SECRET");
        }
        if (uri.getHost() == null) {
            throw OptionReader.invalid("rpc_host", maskedUrl(url), "an HTTP RPC URL needs a host");
        }
        if (uri.getRawFragment() != null) {
            throw OptionReader.invalid("rpc_host", maskedUrl(url), "an HTTP RPC URL has no #fragment");
        }
    }

    /** {@code url} as it may be logged: no credentials, no query (either may hold a secret). */
    public static String maskedUrl(String url) {
        return url.replaceAll("//[^@/]*@", "//***@").replaceAll("\\?.*", "?***");
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
