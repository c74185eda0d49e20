package io.jcable.standalone;

import io.jcable.protocol.DisconnectReason;
import io.jcable.protocol.ServerFrames;
import io.jcable.rpc.CallContext;
import io.jcable.rpc.CommandRequest;
import io.jcable.rpc.CommandResult;
import io.jcable.rpc.ConnectResult;
import io.jcable.rpc.Controller;
import io.jcable.rpc.DisconnectCall;
import io.jcable.rpc.RequestEnv;
import io.jcable.rpc.RpcStatus;
import java.util.List;
import java.util.Map;

/**
 * The application's place when there is none ({@code ANYCABLE_NORPC}), answering as anycable-go's null
 * controller: what {@link StandaloneAnswers} left open is refused with a reason for the log. Connect →
 * {@code unauthorized}; subscribe → {@code reject_subscription}. Nothing goes on the network.
 */
public final class NoRpcController implements Controller {
    private static final String NO_RPC = "there is no RPC (ANYCABLE_NORPC)";

    @Override
    public ConnectResult connect(CallContext context, RequestEnv env) {
        return new ConnectResult(RpcStatus.FAILURE, "", List.of(ServerFrames.disconnect(DisconnectReason.UNAUTHORIZED)),
                Map.of(), "no valid token, no ANYCABLE_NOAUTH, and " + NO_RPC);
    }

    @Override
    public CommandResult command(CallContext context, CommandRequest request) {
        // Only subscribes get here: nothing else can be subscribed without RPC.
        return request.command().equals("subscribe")
                ? CommandResult.failure(List.of(ServerFrames.rejectSubscription(request.identifier())),
                        "not a channel the server serves itself, and " + NO_RPC)
                : CommandResult.failure(List.of(), NO_RPC);
    }

    @Override
    public RpcStatus disconnect(DisconnectCall request) {
        return RpcStatus.SUCCESS;
    }

    @Override
    public RpcStatus disconnect(DisconnectCall request, long deadlineNanos) {
        return RpcStatus.SUCCESS;
    }

    /** Nothing to reach: never a reason not to be ready. */
    @Override
    public boolean reachable() {
        return true;
    }

    @Override
    public void close() {
        // Nothing was opened.
    }
}
