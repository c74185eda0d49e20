package io.jcable.bench;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

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
 * @param secret       the server's JWT and streams secret (standalone scenario), or null: an own target gets a
 *                     random one, an external one cannot run that scenario
 * @param serverSettings {@code ANYCABLE_*} / {@code JCABLE_*} variables for the jcable process, under the tool's
 *                     own (own target only; {@code scripts/bench} passes those of its environment)
 * @param war          the built WAR deployed in a standalone Jetty 12 as README's "Deploying the WAR" says,
 *                     instead of jcable in embedded Jetty (own target only)
 */
record TargetOptions(URI url, long serverPid, URI metricsUrl, URI redisUrl, URI broadcastUrl, String redisChannel,
                     Duration appLatency, String serverJvm, String serverCpus, String secret,
                     Map<String, String> serverSettings, boolean war) {
    /**
     * One core's worth of server, sized for memory per connection (BENCHMARKS.md): Serial GC; a 16 MB young
     * generation (each young collection also scans the old-generation cards a fan-out dirtied in every session, so
     * a larger one trades memory for fewer such scans); the old generation kept within 5-10% of its live data
     * after a full collection, which compacts it completely (Serial's default leaves up to 5% of dead objects
     * in place as filler); freed native memory (the JIT's arenas) returned to the OS every 2 s; 32 Jetty
     * threads at most, since jcable never blocks them. With {@link #MALLOC_ARENAS}.
     */
    static final String DEFAULT_SERVER_JVM = "-Xms24m -Xmx1g -XX:NewSize=16m -XX:MaxNewSize=16m"
            + " -XX:MinHeapFreeRatio=5 -XX:MaxHeapFreeRatio=10 -XX:+UseSerialGC -XX:MarkSweepDeadRatio=0"
            + " -XX:+UseStringDeduplication -Djetty.threads.max=32"
            + (Runtime.version().feature() >= 22 ? " -XX:TrimNativeHeapInterval=2000" : "")
            + (Runtime.version().feature() >= 23 ? " --sun-misc-unsafe-memory-access=allow" : "")
            + (Runtime.version().feature() >= 25 ? " -XX:+UseCompactObjectHeaders" : "");
    /** glibc malloc arenas of the jcable process (default: 8 per core, each holding freed memory). */
    static final String MALLOC_ARENAS = "2";

    TargetOptions {
        serverSettings = Map.copyOf(serverSettings);
    }

    /** The same options with one more {@code ANYCABLE_*} setting for the jcable process (replacing any given). */
    TargetOptions withServerSetting(String name, String value) {
        Map<String, String> settings = new HashMap<>(serverSettings);
        settings.put(name, value);
        return new TargetOptions(url, serverPid, metricsUrl, redisUrl, broadcastUrl, redisChannel, appLatency,
                serverJvm, serverCpus, secret, settings, war);
    }

    boolean selfHosted() {
        return url == null;
    }

    /** These options without the external server's: the tool's own jcable, with the same app, JVM and CPUs. */
    TargetOptions selfHostedPart() {
        return new TargetOptions(null, 0, null, null, null, redisChannel, appLatency, serverJvm, serverCpus, secret,
                serverSettings, war);
    }
}
