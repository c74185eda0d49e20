package io.jcable.bench;

import java.net.URI;
import java.time.Duration;

/**
 * Which server the load goes to. With no {@code url} the tool starts its own target (private redis-server, the
 * fake gRPC app in this process, jcable in its own JVM); otherwise it drives the given Action Cable URL and
 * measures what the optional fields let it reach.
 *
 * @param url          Action Cable URL of an external server, or null to start jcable
 * @param serverPid    pid whose CPU and memory to measure for an external server, or 0
 * @param metricsUrl   Prometheus endpoint of an external server, or null
 * @param redisUrl     Redis to publish broadcasts to for an external server, or null
 * @param broadcastUrl HTTP broadcast endpoint of an external server, or null
 * @param redisChannel Redis pub/sub channel the server listens on
 * @param appLatency   latency of every call to the fake gRPC app (own target only)
 * @param serverJvm    JVM flags of the jcable process (own target only)
 * @param serverCpus   {@code taskset -c} list for the jcable process, or "none"
 */
record TargetOptions(URI url, long serverPid, URI metricsUrl, URI redisUrl, URI broadcastUrl, String redisChannel,
                     Duration appLatency, String serverJvm, String serverCpus) {
    /**
     * One core's worth of server: Serial GC, and a young generation fixed at 128 MB because each young collection
     * scans the old-generation cards a fan-out dirtied in every session (20-50 ms with 10,000 sessions), so fewer
     * collections mean less CPU and fewer delayed broadcasts (BENCHMARKS.md).
     */
    static final String DEFAULT_SERVER_JVM = "-Xms160m -Xmx1g -Xmn128m -XX:+UseSerialGC -XX:+UseStringDeduplication"
            + (Runtime.version().feature() >= 23 ? " --sun-misc-unsafe-memory-access=allow" : "")
            + (Runtime.version().feature() >= 25 ? " -XX:+UseCompactObjectHeaders" : "");

    boolean selfHosted() {
        return url == null;
    }
}
