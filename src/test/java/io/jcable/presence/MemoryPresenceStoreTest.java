package io.jcable.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The records' rules on the memory store, and {@link Presence}'s linger and hand-over with a driven clock. */
class MemoryPresenceStoreTest {
    private final MemoryPresenceStore store = new MemoryPresenceStore();

    @Test
    void anIdIsPresentWhileOneOfItsSessionsHoldsIt() {
        assertEquals(List.of(PresenceEvent.join("s", "42", "{}")), store.join("s", "sid1", "42", "{}"));
        assertEquals(List.of(), store.join("s", "sid2", "42", "{\"v\":2}"));
        assertEquals(new PresenceState(1, Map.of("42", "{\"v\":2}")), store.state("s", true));
        assertEquals(null, store.leave("s", "sid1"));
        assertEquals(null, store.leave("s", "sid1"));
        assertEquals(PresenceEvent.leave("s", "42"), store.leave("s", "sid2"));
        assertEquals(new PresenceState(0, Map.of()), store.state("s", true));
    }

    @Test
    void aSessionHoldsOneIdPerStreamAndAnotherJoinReplacesIt() {
        store.join("s", "sid1", "a", "1");
        assertEquals(List.of(PresenceEvent.leave("s", "a"), PresenceEvent.join("s", "b", "2")),
                store.join("s", "sid1", "b", "2"));
        store.join("t", "sid1", "a", "1");
        assertEquals(new PresenceState(1, Map.of()), store.state("s", false));
        assertEquals(new PresenceState(1, Map.of("a", "1")), store.state("t", true));
    }

    @Test
    void aLingerEndsAtItsTimeUnlessTheSessionIsHandedOver() {
        AtomicLong now = new AtomicLong(1_000);
        List<String> published = new ArrayList<>();
        Presence presence = new Presence(store, (stream, data, exclude, type) -> published.add(stream + " " + data),
                Duration.ofSeconds(15), now::get);
        presence.join("old", new Membership("s", "42", "{}"));
        presence.join("gone", new Membership("s", "7", "{}"));
        presence.linger("old", new Membership("s", "42", "{}"));
        presence.linger("gone", new Membership("s", "7", "{}"));
        presence.handOver("old", "new", new Membership("s", "42", "{}"));
        now.set(15_999);
        presence.sweep();
        assertEquals(2, published.size());
        now.set(16_000);
        presence.sweep();
        assertEquals(List.of("s {\"type\":\"join\",\"id\":\"42\",\"info\":{}}",
                "s {\"type\":\"join\",\"id\":\"7\",\"info\":{}}", "s {\"type\":\"leave\",\"id\":\"7\"}"), published);
        assertEquals(new PresenceState(1, Map.of("42", "{}")), store.state("s", true));
        presence.stop();
    }
}
