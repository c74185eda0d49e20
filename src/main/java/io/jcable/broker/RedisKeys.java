package io.jcable.broker;

import java.time.Duration;

/**
 * The names of the Redis broker's keys (docs/broadcasting.md §5), all under one prefix ({@code $jc:}, not
 * anycable-go's, so both can share a Redis during a migration without reading each other's data).
 */
public record RedisKeys(String prefix) {
    /** How long stopping waits for the Redis threads of the broker and session cache. */
    static final Duration STOP_WAIT = Duration.ofMillis(500);

    public static final RedisKeys DEFAULT = new RedisKeys("$jc:");

    /** The cluster's epoch (a string, no expiry). */
    String epoch() {
        return prefix + "epoch";
    }

    /** A stream's offset counter. */
    String offset(String stream) {
        return prefix + "offset:" + stream;
    }

    /** A stream's retained entries (a Redis stream with fields o, m, t). */
    String history(String stream) {
        return prefix + "history:" + stream;
    }

    /** A cached session's snapshot. */
    String session(String sid) {
        return prefix + "session:" + sid;
    }

    String describe() {
        return prefix + "*";
    }
}
