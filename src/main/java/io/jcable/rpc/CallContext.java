package io.jcable.rpc;

import java.util.function.BooleanSupplier;

/**
 * Per-call context: the session id (sent as {@code sid} metadata) and whether the session is already gone,
 * so a call still waiting for a concurrency slot can be skipped.
 */
public record CallContext(String sid, BooleanSupplier gone) {
}
