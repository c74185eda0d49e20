package io.jcable.config;

import java.util.List;

/**
 * How the {@code nats} adapter and the NATS pub/sub reach NATS.
 *
 * @param servers {@code ANYCABLE_NATS_SERVERS}, comma list of {@code nats://host:port}, default
 *                {@code nats://127.0.0.1:4222}
 */
public record NatsConfig(List<String> servers) {
}
