/**
 * The broker (docs/broadcasting.md §5): gives every stored publication its stream position (the broker's epoch and
 * a per-stream offset) and keeps a bounded history per stream, from which extended clients fetch what they
 * missed (docs/protocol.md §6.3); and the session cache of lost extended sessions (§6.2). In one node's memory,
 * or in Redis for the whole cluster.
 */
package io.jcable.broker;
