/**
 * Connections and their life: {@link io.jcable.session.Node} runs Connect, commands and Disconnect for every
 * {@link io.jcable.session.ClientSession}, strictly in order per session on virtual threads; the shared
 * {@link io.jcable.session.Pinger} and the rate-limited {@link io.jcable.session.DisconnectQueue} serve them all.
 * The WebSocket layer is behind the {@link io.jcable.session.Transport} seam.
 */
package io.jcable.session;
