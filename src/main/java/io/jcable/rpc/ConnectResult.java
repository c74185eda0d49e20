package io.jcable.rpc;

import java.util.List;
import java.util.Map;

/** The application's answer to Connect; {@code cstate} is a diff (docs/rpc.md §5). */
public record ConnectResult(RpcStatus status, String identifiers, List<String> transmissions,
                            Map<String, String> cstate, String errorMessage) {

    public static ConnectResult error(String message) {
        return new ConnectResult(RpcStatus.ERROR, "", List.of(), Map.of(), message);
    }
}
