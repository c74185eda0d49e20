package io.jcable.broker;

import io.jcable.protocol.StreamPosition;

/**
 * One stored publication.
 *
 * @param position      its epoch and offset
 * @param publishedAtMs when it was stored, epoch milliseconds
 * @param message       the message as JSON text, as embedded in data frames
 * @param type          its {@code meta.broadcast_type}, or null
 */
public record HistoryEntry(StreamPosition position, long publishedAtMs, String message, String type) {
}
