package io.jcable.protocol;

/** Where a stored publication sits in its stream: the broker's epoch and the stream's offset (1, 2, 3 …). */
public record StreamPosition(String epoch, long offset) {
}
