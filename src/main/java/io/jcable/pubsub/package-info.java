/**
 * Node-to-node pub/sub (broadcasting.md): a publication that entered any node reaches every node with local
 * subscribers for its stream, and remote commands reach every node. {@link io.jcable.pubsub.PubSub} is the seam;
 * {@link io.jcable.pubsub.LocalPubSub} loops back on one node, {@link io.jcable.pubsub.RedisPubSub} and
 * {@link io.jcable.pubsub.NatsPubSub} subscribe each node only to the streams it serves (one channel or subject per
 * stream, reference-counted by the hub) plus an internal channel for remote commands.
 */
package io.jcable.pubsub;
