package io.jcable.rpc;

import java.util.Map;

/**
 * One client command for the application.
 *
 * @param command "subscribe", "unsubscribe" or "message"
 * @param data    the client's data string for "message", else ""
 * @param cstate  the whole connection state
 * @param istate  the whole state of this identifier
 */
public record CommandRequest(String command, String identifier, String connectionIdentifiers, String data,
                             RequestEnv env, Map<String, String> cstate, Map<String, String> istate) {
}
