package io.jcable.it;

/** The anyt scenarios of {@link ConformanceTest} with the app over HTTP RPC (docs/rpc.md §10). */
class HttpConformanceTest extends ConformanceTest {

    @Override
    protected String rpcHost() {
        return app.httpTarget();
    }
}
