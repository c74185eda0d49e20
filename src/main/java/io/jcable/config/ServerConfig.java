package io.jcable.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * WebSocket-facing options.
 *
 * @param paths          {@code ANYCABLE_PATH}, default {@code /cable}: endpoint paths under the context path
 * @param allowedOrigins {@code ANYCABLE_ALLOWED_ORIGINS}, default empty (no check); a leading {@code *} = suffix match
 * @param pingInterval   {@code ANYCABLE_PING_INTERVAL}, seconds, default 3
 * @param pingPrecision  {@code ANYCABLE_PING_TIMESTAMP_PRECISION}, default {@code s}
 * @param maxMessageSize {@code ANYCABLE_MAX_MESSAGE_SIZE}, bytes, default 65536; bigger frames close with 1009
 * @param maxPendingSize {@code ANYCABLE_WS_MAX_PENDING_SIZE}, bytes, default 1 MiB of queued outgoing frames
 * @param writeTimeout   {@code ANYCABLE_WS_WRITE_TIMEOUT}, seconds, default 2
 * @param healthPath     {@code ANYCABLE_HEALTH_PATH}, default {@code /health}
 * @param metricsPath    {@code ANYCABLE_METRICS_HTTP}, default off (null); e.g. {@code /metrics}
 * @param metricsTags    {@code ANYCABLE_METRICS_TAGS}, {@code k:v,k2:v2}, default none: constant labels of every metric
 * @param sidFromRequestId {@code JCABLE_SID_FROM_REQUEST_ID}, default false
 * @param maxPendingInput {@code JCABLE_MAX_PENDING_INPUT_SIZE}, characters, default 1 MiB of a client's messages
 *                        waiting behind a running command; more → close 1008
 * @param pongTimeout    {@code ANYCABLE_PONG_TIMEOUT}, seconds, default 0 (off): an extended session silent that
 *                       long after a ping is closed with {@code no_pong}
 */
public record ServerConfig(List<String> paths, List<String> allowedOrigins, Duration pingInterval,
                           PingPrecision pingPrecision, int maxMessageSize, int maxPendingSize,
                           Duration writeTimeout, String healthPath, String metricsPath,
                           Map<String, String> metricsTags, boolean sidFromRequestId, int maxPendingInput,
                           Duration pongTimeout) {
}
