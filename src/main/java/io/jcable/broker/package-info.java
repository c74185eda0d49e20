/**
 * The broker (docs/broadcasting.md §5): gives every stored publication its stream position (the broker's epoch and
 * a per-stream offset) and keeps a bounded history per stream, from which extended clients fetch what they
 * missed (docs/protocol.md §6.3).
 */
package io.jcable.broker;
