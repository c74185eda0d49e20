/**
 * Readiness: named checks that components register (the RPC target reachable, each broadcast adapter up, the
 * server not shutting down), evaluated on each probe. Liveness needs none: a server that answers is alive.
 */
package io.jcable.health;
