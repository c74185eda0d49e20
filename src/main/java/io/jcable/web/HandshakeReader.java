package io.jcable.web;

import io.jcable.config.AuthConfig;
import io.jcable.config.PingPrecision;
import io.jcable.config.RpcConfig;
import io.jcable.config.ServerConfig;
import io.jcable.protocol.Subprotocols;
import io.jcable.rpc.RequestEnv;
import io.jcable.session.Handshake;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Builds a {@link Handshake} from the upgrade request: the Env URL and headers (docs/rpc.md §4), ping overrides, and
 * the identification token.
 */
final class HandshakeReader {
    static final String REMOTE_ADDR = "REMOTE_ADDR";
    /** A sub-protocol entry that carries a JWT instead of naming a protocol (never chosen, see Subprotocols). */
    static final String TOKEN_SUBPROTOCOL_PREFIX = "anycable-token.";
    /** Longest ping interval a client may ask for with {@code ?pi=}. */
    static final Duration MAX_PING_INTERVAL = Duration.ofHours(1);

    private final List<String> forwardedHeaders;
    private final List<String> proxyCookies;
    private final Duration pingInterval;
    private final PingPrecision pingPrecision;
    /** The token's query parameter ({@code jid}), or null when JWT identification is off. */
    private final String tokenParam;
    private final String tokenHeader;

    HandshakeReader(ServerConfig server, RpcConfig rpc, AuthConfig auth) {
        // Interned: thousands of sessions share the same few header-name strings as map keys.
        this.forwardedHeaders = rpc.headers().stream().map(String::intern).toList();
        this.proxyCookies = rpc.proxyCookies();
        this.pingInterval = server.pingInterval();
        this.pingPrecision = server.pingPrecision();
        this.tokenParam = auth.jwt() ? auth.jwtParam() : null;
        this.tokenHeader = ("x-" + auth.jwtParam()).toLowerCase(Locale.ROOT).intern();
    }

    /** @param subprotocol the negotiated sub-protocol ("" or null: none) */
    Handshake read(URI requestUri, String queryString, Map<String, List<String>> headers, String remoteAddress,
                   String subprotocol) {
        String scheme = "wss".equalsIgnoreCase(requestUri.getScheme()) || "https".equalsIgnoreCase(requestUri.getScheme())
                ? "https" : "http";
        String host = header(headers, "host");
        if (host == null) {
            host = requestUri.getRawAuthority();
        }
        String url = scheme + "://" + host + requestUri.getRawPath()
                + (queryString == null || queryString.isEmpty() ? "" : "?" + queryString);

        Map<String, String> forwarded = new HashMap<>(forwardedHeaders.size() * 2 + 2);
        for (String name : forwardedHeaders) {
            String value = header(headers, name);
            if (name.equals("cookie") && value != null && !proxyCookies.isEmpty()) {
                value = filterCookies(value, proxyCookies);
            }
            if (value != null && !value.isEmpty()) {
                forwarded.put(name, value);
            }
        }
        if (remoteAddress != null) {
            forwarded.put(REMOTE_ADDR, remoteAddress);
        }

        Map<String, String> query = parseQuery(queryString);
        String token = null;
        if (tokenParam != null) {
            // The JWT from the X-<param> header, else ?<param>=, else an anycable-token.<jwt> entry. As anycable-go
            // does, the application sees a token that is not in the URL under the header's name.
            String fromHeader = header(headers, tokenHeader);
            String notInUrl = nonEmpty(fromHeader, subprotocolToken(headers));
            token = nonEmpty(fromHeader, nonEmpty(query.get(tokenParam), notInUrl));
            if (notInUrl != null) {
                forwarded.put(tokenHeader, notInUrl);
            }
        }
        Duration interval = pingInterval(query.get("pi"));
        PingPrecision precision = PingPrecision.parse(query.get("ptp"));
        boolean extended = Subprotocols.V1_EXT_JSON.equals(subprotocol);
        String restoreSid = extended ? nonEmpty(header(headers, "x-anycable-restore-sid"), query.get("sid")) : null;
        return new Handshake(new RequestEnv(url, Map.copyOf(forwarded)), interval,
                precision == null ? pingPrecision : precision, header(headers, "x-request-id"), token, extended,
                restoreSid);
    }

    /** {@code value} unless it is null or empty, else {@code fallback} (null when that is empty too). */
    private static String nonEmpty(String value, String fallback) {
        if (value != null && !value.isEmpty()) {
            return value;
        }
        return fallback == null || fallback.isEmpty() ? null : fallback;
    }

    private static String subprotocolToken(Map<String, List<String>> headers) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey() == null || !entry.getKey().equalsIgnoreCase("sec-websocket-protocol")) {
                continue;
            }
            for (String value : entry.getValue()) {
                if (!value.contains(TOKEN_SUBPROTOCOL_PREFIX)) {
                    continue;
                }
                for (String protocol : value.split(",")) {
                    String trimmed = protocol.trim();
                    if (trimmed.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) {
                        return trimmed.substring(TOKEN_SUBPROTOCOL_PREFIX.length());
                    }
                }
            }
        }
        return null;
    }

    /**
     * The {@code ?pi=} interval in seconds: 0 (or less) turns pings off, anything over {@link #MAX_PING_INTERVAL}
     * is cut to it, and a value that is not an integer leaves the configured interval.
     */
    private Duration pingInterval(String pi) {
        if (pi == null) {
            return pingInterval;
        }
        try {
            long seconds = Long.parseLong(pi.trim());
            return Duration.ofSeconds(Math.clamp(seconds, 0, MAX_PING_INTERVAL.toSeconds()));
        } catch (NumberFormatException e) {
            return pingInterval;
        }
    }

    /** First value of a header, looked up case-insensitively (containers differ in how they key the map). */
    static String header(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                return entry.getValue().getFirst();
            }
        }
        return null;
    }

    /** Keeps only the named cookies (names trimmed; values may contain '='), joined with "; ". */
    static String filterCookies(String header, List<String> keep) {
        StringJoiner kept = new StringJoiner("; ");
        for (String pair : header.split(";")) {
            int eq = pair.indexOf('=');
            String name = (eq < 0 ? pair : pair.substring(0, eq)).trim();
            if (keep.contains(name)) {
                kept.add(pair.trim());
            }
        }
        return kept.toString();
    }

    private static Map<String, String> parseQuery(String queryString) {
        Map<String, String> params = new HashMap<>();
        if (queryString == null || queryString.isEmpty()) {
            return params;
        }
        for (String pair : queryString.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // A malformed escape only means this parameter is not one of ours.
            }
        }
        return params;
    }

}
