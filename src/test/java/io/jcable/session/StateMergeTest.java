package io.jcable.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateMergeTest {

    @Test
    void emptyValueDeletesOthersInsertOrOverwriteUnmentionedStay() {
        Map<String, String> state = new HashMap<>(Map.of("a", "1", "b", "2", "c", "3"));
        Map<String, String> merged = StateMerge.merge(state, Map.of("a", "", "b", "20", "d", "4"));
        assertEquals(Map.of("b", "20", "c", "3", "d", "4"), merged);
    }

    @Test
    void emptyResultIsTheSharedEmptyMapAndEmptyDiffChangesNothing() {
        assertSame(Map.of(), StateMerge.merge(new HashMap<>(Map.of("a", "1")), Map.of("a", "")));
        Map<String, String> state = Map.of();
        assertSame(state, StateMerge.merge(state, Map.of()));
        assertEquals(Map.of("k", "v"), StateMerge.merge(Map.of(), Map.of("k", "v")));
    }
}
