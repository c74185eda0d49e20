package io.jcable.bench;

import io.jcable.testing.Signing;
import java.util.function.IntFunction;

/**
 * How the n-th client of a generator connects and what it subscribes to.
 *
 * @param protocol   the WebSocket sub-protocol the client asks for
 * @param query      query string appended to the cable URL ("" for none)
 * @param identifier the subscription's identifier, as JSON text
 */
record ClientPlan(String protocol, IntFunction<String> query, IntFunction<String> identifier) {
    static final String V1 = "actioncable-v1-json";
    static final String EXTENDED = "actioncable-v1-ext-json";

    /** Identified by the application's Connect and subscribed to BenchmarkChannel through its Command. */
    static ClientPlan rpc(boolean uniqueIdentifiers) {
        return new ClientPlan(V1, n -> "",
                n -> LoadClient.identifier(uniqueIdentifiers ? Integer.toString(n) : null));
    }

    /** The same clients speaking {@code actioncable-v1-ext-json}: stored publications reach them with positions. */
    ClientPlan extended() {
        return new ClientPlan(EXTENDED, query, identifier);
    }

    /**
     * Identified by a JWT of its own (as anycable-rails makes them) and subscribed to {@code $pubsub} with a signed
     * stream name: its own stream {@code bench_<n>}, or {@code all} for every client.
     */
    static ClientPlan standalone(String secret, boolean uniqueIdentifiers) {
        long expires = System.currentTimeMillis() / 1000 + 24 * 3600;
        return new ClientPlan(V1,
                n -> "?jid=" + Signing.anycableJwt(secret, "{\"user\":\"gid://bench/User/" + n + "\"}", expires),
                n -> "{\"channel\":\"$pubsub\",\"signed_stream_name\":"
                        + new com.google.gson.JsonPrimitive(
                                Signing.signedStream(secret, uniqueIdentifiers ? "bench_" + n : "all")) + "}");
    }
}
