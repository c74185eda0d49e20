package io.jcable.protocol;

import java.util.List;

/** Sub-protocol negotiation in the server's order of preference (docs/protocol.md §1). */
public final class Subprotocols {
    public static final String V1_JSON = "actioncable-v1-json";
    public static final String V1_EXT_JSON = "actioncable-v1-ext-json";
    public static final List<String> SUPPORTED = List.of(V1_JSON, V1_EXT_JSON);

    private Subprotocols() {
    }

    /** The first supported protocol the client offered, or "" (no protocol in the response) when none. */
    public static String negotiate(List<String> requested) {
        for (String candidate : SUPPORTED) {
            if (requested.contains(candidate)) {
                return candidate;
            }
        }
        return "";
    }
}
