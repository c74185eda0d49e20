package io.jcable.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcable.protocol.StreamPosition;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The memory broker's bookkeeping, on a clock the test moves. */
class MemoryBrokerTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final MemoryBroker broker = new MemoryBroker(3, Duration.ofSeconds(10), now::get, "ep01");

    @AfterEach
    void stop() {
        broker.stop();
    }

    private static List<Long> offsets(History history) {
        return ((History.Found) history).entries().stream().map(e -> e.position().offset()).toList();
    }

    @Test
    void offsetsArePerStreamAndTheNewestLimitEntriesAreKept() {
        for (int i = 1; i <= 5; i++) {
            assertEquals(new StreamPosition("ep01", i), broker.store("a", "{\"n\":" + i + "}", null).join());
        }
        assertEquals(new StreamPosition("ep01", 1), broker.store("b", "1", "t").join());
        assertEquals(List.of(3L, 4L, 5L), offsets(broker.from("a", new StreamPosition("ep01", 2))));
        assertEquals(List.of(5L), offsets(broker.from("a", new StreamPosition("ep01", 4))));
        assertEquals(List.of(), offsets(broker.from("a", new StreamPosition("ep01", 5))));
        assertEquals(new History.Refused("offset no longer retained"), broker.from("a", new StreamPosition("ep01", 1)));
        assertEquals(new History.Refused("offset not reached yet"), broker.from("a", new StreamPosition("ep01", 6)));
        assertEquals(new History.Refused("unknown epoch"), broker.from("a", new StreamPosition("ep02", 3)));
        assertEquals(new History.Refused("unknown stream"), broker.from("c", new StreamPosition("ep01", 0)));
        assertEquals(new HistoryEntry(new StreamPosition("ep01", 1), 1_000_000, "1", "t"),
                ((History.Found) broker.since("b", 1000)).entries().getFirst());
    }

    @Test
    void entriesExpireAfterTheTtlAndCountersTenTtlsAfterTheLastPublication() {
        broker.store("a", "1", null).join();
        now.addAndGet(6_000);
        broker.store("a", "2", null).join();
        assertEquals(List.of(1L, 2L), offsets(broker.since("a", 1000)));
        assertEquals(List.of(2L), offsets(broker.since("a", 1006)));
        assertEquals(List.of(), offsets(broker.since("a", 1007)));
        now.addAndGet(5_000);
        assertEquals(List.of(2L), offsets(broker.since("a", 0)));
        assertEquals(new History.Refused("offset no longer retained"), broker.from("a", new StreamPosition("ep01", 0)));
        now.addAndGet(5_000);
        broker.expire();
        assertEquals(List.of(), offsets(broker.from("a", new StreamPosition("ep01", 2))));
        assertEquals(1, broker.streamCount());
        now.addAndGet(MemoryBroker.COUNTER_LIFETIMES * 10_000L);
        broker.expire();
        assertEquals(0, broker.streamCount());
        assertEquals(new StreamPosition("ep01", 1), broker.store("a", "3", null).join());
    }
}
