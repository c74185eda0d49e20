/**
 * Presence (docs/protocol.md §6.6): who is on a stream, by presence id across sessions and nodes.
 * {@link io.jcable.presence.Presence} is what the session layer calls (join, leave, info, a lost session's
 * linger, a restore's hand-over) and publishes the join and leave events; a {@link io.jcable.presence.PresenceStore}
 * keeps the records: {@link io.jcable.presence.MemoryPresenceStore} on one node,
 * {@link io.jcable.presence.RedisPresenceStore} shared by every node, {@link io.jcable.presence.NoPresenceStore}
 * without a broker.
 */
package io.jcable.presence;
