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
}
