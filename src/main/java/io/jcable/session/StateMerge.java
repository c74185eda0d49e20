package io.jcable.session;

import java.util.HashMap;
import java.util.Map;

/** The cstate / istate diff rule of docs/rpc.md §5: an empty value deletes the key, others insert or overwrite. */
public final class StateMerge {
    private StateMerge() {
    }

    /**
     * Applies {@code diff} to {@code state} and returns the result, which may be {@code state} itself (mutated)
     * or a new map; an empty result is the shared immutable empty map, so idle sessions hold no map at all.
     */
    public static Map<String, String> merge(Map<String, String> state, Map<String, String> diff) {
        if (diff.isEmpty()) {
            return state;
        }
        Map<String, String> result = state.isEmpty() ? new HashMap<>(4) : state;
        diff.forEach((key, value) -> {
            if (value.isEmpty()) {
                result.remove(key);
            } else {
                result.put(key, value);
            }
        });
        return result.isEmpty() ? Map.of() : result;
    }
}
