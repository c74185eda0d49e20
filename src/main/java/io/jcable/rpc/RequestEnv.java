package io.jcable.rpc;

import java.util.Map;

/** The parts of {@code Env} fixed at the upgrade: full URL and the forwarded headers (incl. REMOTE_ADDR). */
public record RequestEnv(String url, Map<String, String> headers) {
}
