package io.jcable.it;

/**
 * {@link RpcBehaviourTest}'s scenarios with the app over HTTP RPC (docs/rpc.md §10): the same outcomes, state,
 * retries, deadlines, skipped calls and Disconnect modes as over gRPC, through the same fake app.
 */
class HttpRpcBehaviourTest extends RpcBehaviourTest {

    @Override
    protected String rpcHost() {
        return app.httpTarget();
    }
}
