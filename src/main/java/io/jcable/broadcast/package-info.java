/**
 * Broadcast ingest from the application: the payload format (single, batch, remote command), the Redis
 * Pub/Sub subscriber and the HTTP {@code /_broadcast} endpoint, all handing messages to one
 * {@link io.jcable.broadcast.BroadcastHandler}; {@link io.jcable.broadcast.Publications} distributes them through
 * the pub/sub and delivers them to the hub (and publishes the sessions' whispers and presence events).
 */
package io.jcable.broadcast;
