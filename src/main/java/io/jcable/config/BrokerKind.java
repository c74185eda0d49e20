package io.jcable.config;

/** {@code ANYCABLE_BROKER}: where publications and their history are kept (docs/broadcasting.md §5). */
public enum BrokerKind {
    /** Nothing stored: no positions, no history. */
    NONE,
    /** In this node's memory. */
    MEMORY,
    /** In Redis, shared by every node. */
    REDIS
}
