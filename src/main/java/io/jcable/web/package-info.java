/**
 * The container side: the JSR-356 endpoint and its configurator (sub-protocols, origin check, Env capture),
 * the per-socket {@link io.jcable.web.WsTransport} writer, what jcable does on Jetty 12 alone (frames through
 * the core session, the trim of what its JSR-356 session keeps), and the health and metrics servlets.
 */
package io.jcable.web;
