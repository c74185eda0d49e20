package io.jcable.rpc;

/**
 * One failed attempt of an RPC call, as its transport classifies it for {@link RetryingCaller} (docs/rpc.md §9).
 * The description goes to the log: it must never carry a secret.
 */
final class RpcFailure extends Exception {

    /** What the failure means for the call. */
    enum Kind {
        /** The app is busy (gRPC RESOURCE_EXHAUSTED, HTTP 429): retried, backoff from 10 ms. */
        EXHAUSTED(10),
        /** The app is unreachable (gRPC UNAVAILABLE; HTTP connection failure, 502, 503, 504): retried from 100 ms. */
        UNAVAILABLE(100),
        /** The attempt's deadline passed: counted in {@code rpc_timeout_total}, not retried. */
        TIMEOUT(0),
        /** Anything else: not retried. */
        FATAL(0);

        private final long backoffBaseMillis;

        Kind(long backoffBaseMillis) {
            this.backoffBaseMillis = backoffBaseMillis;
        }

        /** 0 when the call is not retried after this kind of failure. */
        long backoffBaseMillis() {
            return backoffBaseMillis;
        }
    }

    private final Kind kind;

    RpcFailure(Kind kind, String description) {
        // Expected outcomes of remote calls, not bugs: no stack trace.
        super(description, null, false, false);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }
}
