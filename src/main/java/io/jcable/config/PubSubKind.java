package io.jcable.config;

/** {@code ANYCABLE_PUBSUB}: how publications travel between nodes. */
public enum PubSubKind {
    /** One node: publications are delivered in-process. */
    NONE,
    /** Redis pub/sub: one channel per stream plus the internal channel. */
    REDIS,
    /** NATS: one subject per stream plus the internal subject. */
    NATS
}
