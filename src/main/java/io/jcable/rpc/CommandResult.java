package io.jcable.rpc;

import java.util.List;
import java.util.Map;

/** The application's answer to a command; {@code cstate} and {@code istate} are diffs (docs/rpc.md §5, §7). */
public record CommandResult(RpcStatus status, boolean disconnect, boolean stopStreams, List<String> streams,
                            List<String> stoppedStreams, List<String> transmissions, Map<String, String> cstate,
                            Map<String, String> istate, String errorMessage) {

    public static CommandResult error(String message) {
        return new CommandResult(RpcStatus.ERROR, false, false, List.of(), List.of(), List.of(), Map.of(), Map.of(),
                message);
    }
}
