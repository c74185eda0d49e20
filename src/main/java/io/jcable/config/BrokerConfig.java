package io.jcable.config;

import java.time.Duration;

/**
 * Broker and history options (docs/config.md §6).
 *
 * @param kind         {@code ANYCABLE_BROKER}, default {@code memory}
 * @param historyLimit {@code ANYCABLE_HISTORY_LIMIT}, entries kept per stream, default 100
 * @param historyTtl   {@code ANYCABLE_HISTORY_TTL}, seconds an entry is kept, default 300
 * @param sessionsTtl  {@code ANYCABLE_SESSIONS_TTL}, seconds a closed extended session can be restored, default
 *                     300; 0 = never
 * @param presenceTtl  {@code ANYCABLE_PRESENCE_TTL}, seconds a closed session stays present, default 15; 0 = it
 *                     leaves at once
 */
public record BrokerConfig(BrokerKind kind, int historyLimit, Duration historyTtl, Duration sessionsTtl,
                           Duration presenceTtl) {

    static BrokerConfig load(OptionReader options) {
        return new BrokerConfig(options.choice("broker", BrokerKind.class, BrokerKind.MEMORY),
                options.integer("history_limit", 100, 1),
                Duration.ofSeconds(options.integer("history_ttl", 300, 1)),
                options.seconds("sessions_ttl", 300),
                options.seconds("presence_ttl", 15));
    }
}
