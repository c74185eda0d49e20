package io.jcable.rpc;

/**
 * The application as the server sees it. Implementations never throw for application or transport failures:
 * they answer {@link RpcStatus#ERROR} with a message for the log. Calls block; call them from virtual threads.
 */
public interface Controller extends AutoCloseable {

    ConnectResult connect(CallContext context, RequestEnv env);

    CommandResult command(CallContext context, CommandRequest request);

    /** Returns the status (an ERROR answer is logged); only {@code ANYCABLE_RPC_COMMAND_TIMEOUT} bounds the call. */
    default RpcStatus disconnect(DisconnectCall request) {
        return disconnect(request, Long.MAX_VALUE);
    }

    /**
     * {@link #disconnect(DisconnectCall)} for the shutdown drain: the call, its wait for a slot and its retries
     * end by {@code deadlineNanos} ({@link System#nanoTime()}), or it is not made (ERROR).
     */
    RpcStatus disconnect(DisconnectCall request, long deadlineNanos);

    /**
     * Readiness: whether the app looks reachable, from what the controller already knows (its connection state,
     * its last attempts); never makes a call.
     */
    boolean reachable();

    @Override
    void close();
}
