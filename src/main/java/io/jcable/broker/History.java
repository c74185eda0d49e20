package io.jcable.broker;

import java.util.List;

/** A broker's answer to a history request for one stream. */
public sealed interface History {

    /** The entries after the position (or since the time), oldest first; possibly none. */
    record Found(List<HistoryEntry> entries) implements History {
    }

    /** The request cannot be served; {@code reason} is for the log. */
    record Refused(String reason) implements History {
    }

    /**
     * The answer for a client at {@code offset} of a stream whose counter is at {@code lastOffset} and which
     * retains {@code retained} (oldest first): refused when the offset is past the counter or older than the
     * oldest retained entry's predecessor (something between would be missing), else the entries after it.
     */
    static History afterOffset(List<HistoryEntry> retained, long lastOffset, long offset) {
        long firstRetained = retained.isEmpty() ? lastOffset + 1 : retained.getFirst().position().offset();
        if (offset > lastOffset) {
            return new Refused("offset not reached yet");
        }
        if (offset < firstRetained - 1) {
            return new Refused("offset no longer retained");
        }
        return new Found(retained.stream().filter(entry -> entry.position().offset() > offset).toList());
    }
}
