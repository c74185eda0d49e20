/**
 * NATS connections for the {@code nats} adapter and the NATS pub/sub: {@link io.jcable.nats.NatsClient} connects
 * in the background, reconnects forever and says what happened in the log.
 */
package io.jcable.nats;
