package io.jcable.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ping options end to end: {@code ANYCABLE_PING_INTERVAL=10} and {@code ANYCABLE_PING_TIMESTAMP_PRECISION=ms}
 * for the server, {@code ?pi=} and {@code ?ptp=} per socket (docs/protocol.md §1, docs/conformance.md §4).
 */
class PingOptionsTest extends CableTestSupport {
    /** Within 1.5 × the 1 s interval of {@code ?pi=1}; the server's 10 s would not ping before 5 s. */
    private static final Duration ONE_SECOND_PING = Duration.ofSeconds(3);

    @Override
    protected void configure(Map<String, String> options) {
        options.put("ping_interval", "10");
        options.put("ping_timestamp_precision", "ms");
    }

    @Test
    void piOverridesTheConfiguredIntervalAndTheConfiguredPrecisionApplies() {
        long before = System.currentTimeMillis();
        CableClient c = client("?pi=1", CableClient.Options.defaults().ignoring("welcome"));
        JsonObject ping = c.receive(ONE_SECOND_PING);
        assertEquals("ping", ping.get("type").getAsString());
        long stamp = ping.get("message").getAsLong();
        assertTrue(stamp >= before && stamp <= System.currentTimeMillis(), "not a millisecond timestamp: " + stamp);
    }

    @Test
    void ptpOverridesTheConfiguredPrecision() {
        long before = System.currentTimeMillis() / 1000;
        CableClient c = client("?pi=1&ptp=s", CableClient.Options.defaults().ignoring("welcome"));
        long stamp = c.receive(ONE_SECOND_PING).get("message").getAsLong();
        assertTrue(stamp >= before && stamp <= System.currentTimeMillis() / 1000, "not a second timestamp: " + stamp);

        long beforeNanos = System.currentTimeMillis() * 1_000_000;
        CableClient nanos = client("?pi=1&ptp=ns", CableClient.Options.defaults().ignoring("welcome"));
        stamp = nanos.receive(ONE_SECOND_PING).get("message").getAsLong();
        assertTrue(stamp >= beforeNanos && stamp <= (System.currentTimeMillis() + 1) * 1_000_000,
                "not a nanosecond timestamp: " + stamp);
    }

    @Test
    void piZeroMeansNoPings() {
        try (CableServer own = startOwn(Map.of("ping_interval", "1"))) {
            CableClient silent = track(CableClient.connect(own.ws("/cable?pi=0"),
                    CableClient.Options.defaults().ignoring("welcome")));
            CableClient paced = track(CableClient.connect(own.ws("/cable"),
                    CableClient.Options.defaults().ignoring("welcome")));
            // paced started after silent, at the same 1 s interval: its second ping comes after the latest moment
            // silent's first could have come.
            for (int i = 0; i < 2; i++) {
                assertEquals("ping", paced.receive(ONE_SECOND_PING).get("type").getAsString());
            }
            // Frames to one socket keep their order: a ping already sent to silent would come before the pong.
            silent.send("{\"command\":\"ping\"}");
            assertEquals(data("{\"type\":\"pong\"}"), silent.receive());
        }
    }
}
