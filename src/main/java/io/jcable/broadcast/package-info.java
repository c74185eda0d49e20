/**
 * Broadcast ingest from the application: the payload format (single, batch, remote command), the Redis
 * Pub/Sub subscriber and the HTTP {@code /_broadcast} endpoint, all handing messages to one
 * {@link io.jcable.broadcast.BroadcastHandler} that drives the hub.
 */
package io.jcable.broadcast;
