package io.jcable.jmx;

import java.util.Map;

/**
 * JMX view and control of one jcable web app: {@code jcable:type=Stats,context=<path>}. Attributes show counts
 * only, never identifiers, cookies or keys.
 */
public interface CableStatsMXBean {

    /**
     * jcable's metrics as Prometheus shows them, without the {@code anycable_go_} prefix and the constant labels:
     * counters, gauges, and each histogram's {@code _count} and {@code _sum}.
     */
    Map<String, Double> getMetrics();

    /** Connected clients ({@code clients_num}). */
    long getClients();

    /**
     * Closes every session whose connection identifiers are exactly {@code identifiers} (the JSON text the app
     * returned from Connect) after sending {@code {"type":"disconnect","reason":"remote","reconnect":…}}, as the
     * app's remote disconnect does; returns how many were closed.
     */
    int disconnect(String identifiers, boolean reconnect);

    /** Broadcasts {@code data} (JSON text, or any text as a JSON string) to the subscribers of {@code stream}. */
    void broadcast(String stream, String data);

    /**
     * Sends every client {@code server_restart} and closes it (1001), makes their Disconnect calls and stops
     * accepting clients (a new one gets the notice at once); readiness turns 503. Returns when done, within
     * {@code ANYCABLE_SHUTDOWN_TIMEOUT}. The web app keeps running (metrics, health) until it is stopped.
     */
    void drain();
}
