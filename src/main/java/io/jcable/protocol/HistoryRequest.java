package io.jcable.protocol;

import java.util.Map;

/**
 * What an extended client missed (docs/protocol.md §6.3): a position per stream, and {@code since} for the
 * streams without one.
 *
 * @param since   unix seconds, 0 when not given
 * @param streams stream name → the last position the client saw
 * @param invalid why the request cannot be served (a negative or non-integer offset, a missing epoch …), or
 *                null when it is well-formed; an invalid request is answered with {@code reject_history}
 */
public record HistoryRequest(long since, Map<String, StreamPosition> streams, String invalid) {

    public static HistoryRequest invalid(String reason) {
        return new HistoryRequest(0, Map.of(), reason);
    }
}
