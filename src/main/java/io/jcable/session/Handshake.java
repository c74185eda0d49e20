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
 * @param token         the JWT the client identifies with ({@code X-JID} header, {@code ?jid=}, or an
 *                      {@code anycable-token.<jwt>} sub-protocol entry), or null; only read when JWT
 *                      identification is on
 */
public record Handshake(RequestEnv env, Duration pingInterval, PingPrecision pingPrecision, String requestId,
                        String token) {

    /** Without the token and the Env (its URL may carry the token, its headers cookies): credentials. */
    @Override
    public String toString() {
        return "Handshake[pingInterval=" + pingInterval + ", pingPrecision=" + pingPrecision + ", requestId="
                + requestId + ", token=" + (token == null ? "none" : "***") + "]";
    }
}
