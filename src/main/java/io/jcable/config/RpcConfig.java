package io.jcable.config;

import java.time.Duration;
import java.util.List;

/**
 * RPC and Disconnect-queue options.
 *
 * @param host              {@code ANYCABLE_RPC_HOST}, default {@code localhost:50051}; {@code http://} or
 *                          {@code https://} = HTTP RPC with this base URL
 * @param hostList          the addresses of a {@code grpc-list://} host (static list, round robin), else empty
 * @param httpKey           Bearer key for HTTP RPC: {@code ANYCABLE_HTTP_RPC_SECRET}, else derived from
 *                          {@code ANYCABLE_SECRET}; null = no {@code Authorization} header
 * @param concurrency       {@code ANYCABLE_RPC_CONCURRENCY}, default 28 calls in flight, all methods
 * @param requestTimeout    {@code ANYCABLE_RPC_REQUEST_TIMEOUT}, ms per attempt, default 0 = none
 * @param commandTimeout    {@code ANYCABLE_RPC_COMMAND_TIMEOUT}, ms for a call with its retries, default 3000
 * @param headers           {@code ANYCABLE_HEADERS}, default {@code cookie}; lower-cased
 * @param proxyCookies      {@code ANYCABLE_PROXY_COOKIES}, default empty = forward the whole cookie header
 * @param disconnectMode    {@code ANYCABLE_DISCONNECT_MODE} ({@code ANYCABLE_DISABLE_DISCONNECT=true} = never)
 * @param disconnectRate    {@code ANYCABLE_DISCONNECT_RATE}, calls per second, default 100
 * @param disconnectBacklog {@code ANYCABLE_DISCONNECT_BACKLOG_SIZE}, default 4096
 */
public record RpcConfig(String host, List<RpcAddress> hostList, String httpKey, int concurrency,
                        Duration requestTimeout, Duration commandTimeout, List<String> headers,
                        List<String> proxyCookies, DisconnectMode disconnectMode, int disconnectRate,
                        int disconnectBacklog) {

    /** Whether the app is called over HTTP ({@code ANYCABLE_RPC_HOST} is an {@code http(s)://} URL). */
    public boolean http() {
        return isHttpUrl(host);
    }

    static boolean isHttpUrl(String host) {
        return host.startsWith("http://") || host.startsWith("https://");
    }
}
