package io.jcable.session;

import io.jcable.config.PingPrecision;
import io.jcable.rpc.RequestEnv;
import java.time.Duration;

/**
 * What the upgrade request tells about a new connection.
 *
 * @param env           URL and forwarded headers for RPC calls
 * @param pingInterval  {@code ?pi=} override or the configured interval; zero = no pings
 * @param pingPrecision {@code ?ptp=} override or the configured precision
 * @param requestId     the {@code X-Request-ID} header, or null
 */
public record Handshake(RequestEnv env, Duration pingInterval, PingPrecision pingPrecision, String requestId) {
}
