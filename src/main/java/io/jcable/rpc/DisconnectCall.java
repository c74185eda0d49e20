package io.jcable.rpc;

import java.util.List;
import java.util.Map;

/**
 * Everything the application needs to run its disconnect callbacks.
 *
 * @param istates identifier → JSON text of that subscription's state map
 */
public record DisconnectCall(String sid, String identifiers, List<String> subscriptions, RequestEnv env,
                                Map<String, String> cstate, Map<String, String> istates) {
}
