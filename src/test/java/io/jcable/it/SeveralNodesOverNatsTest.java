package io.jcable.it;

/** {@link SeveralNodesTest} with the NATS pub/sub ({@code ANYCABLE_PUBSUB=nats}) between the three nodes. */
class SeveralNodesOverNatsTest extends SeveralNodesTest {
    @Override
    protected String pubsub() {
        return "nats";
    }

    @Override
    protected long nodesReceiving(String stream) {
        return nats.subscriberCount(stream);
    }

    @Override
    protected void publishOnPubSub(String channel, String payload) {
        nats.publish(channel, payload);
    }
}
