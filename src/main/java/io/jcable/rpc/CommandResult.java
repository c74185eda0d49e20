package io.jcable.rpc;

import java.util.List;
import java.util.Map;

/**
 * The application's answer to a command; {@code cstate} and {@code istate} are diffs (docs/rpc.md §5, §7);
 * {@code presence} is null when the answer has none.
 */
public record CommandResult(RpcStatus status, boolean disconnect, boolean stopStreams, List<String> streams,
                            List<String> stoppedStreams, List<String> transmissions, Map<String, String> cstate,
                            Map<String, String> istate, String errorMessage, PresenceAnswer presence) {

    /** An answer without presence. */
    public CommandResult(RpcStatus status, boolean disconnect, boolean stopStreams, List<String> streams,
                         List<String> stoppedStreams, List<String> transmissions, Map<String, String> cstate,
                         Map<String, String> istate, String errorMessage) {
        this(status, disconnect, stopStreams, streams, stoppedStreams, transmissions, cstate, istate, errorMessage,
                null);
    }

    /** A FAILURE that changes nothing: only {@code transmissions} are written; {@code message} is for the log. */
    public static CommandResult failure(List<String> transmissions, String message) {
        return new CommandResult(RpcStatus.FAILURE, false, false, List.of(), List.of(), transmissions, Map.of(),
                Map.of(), message);
    }

    public static CommandResult error(String message) {
        return new CommandResult(RpcStatus.ERROR, false, false, List.of(), List.of(), List.of(), Map.of(), Map.of(),
                message);
    }
}
