package io.jcable.bench;

import io.jcable.testing.Signing;
import java.util.function.IntFunction;

/**
 * How the n-th client of a generator connects and what it subscribes to.
 *
 * @param query      query string appended to the cable URL ("" for none)
 * @param identifier the subscription's identifier, as JSON text
 */
record ClientPlan(IntFunction<String> query, IntFunction<String> identifier) {
    /** Identified by the application's Connect and subscribed to BenchmarkChannel through its Command. */
    static ClientPlan rpc(boolean uniqueIdentifiers) {
        return new ClientPlan(n -> "", n -> LoadClient.identifier(uniqueIdentifiers ? Integer.toString(n) : null));
    }

    /**
     * Identified by a JWT of its own (as anycable-rails makes them) and subscribed to {@code $pubsub} with a signed
     * stream name: its own stream {@code bench_<n>}, or {@code all} for every client.
     */
    static ClientPlan standalone(String secret, boolean uniqueIdentifiers) {
        long expires = System.currentTimeMillis() / 1000 + 24 * 3600;
        return new ClientPlan(
                n -> "?jid=" + Signing.anycableJwt(secret, "{\"user\":\"gid://bench/User/" + n + "\"}", expires),
                n -> "{\"channel\":\"$pubsub\",\"signed_stream_name\":"
                        + new com.google.gson.JsonPrimitive(
                                Signing.signedStream(secret, uniqueIdentifiers ? "bench_" + n : "all")) + "}");
    }
}
