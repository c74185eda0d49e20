/**
 * The container side: the JSR-356 endpoint and its configurator (sub-protocols, origin check, Env capture),
 * the per-socket {@link io.jcable.web.WsTransport} writer, and the health and metrics servlets.
 */
package io.jcable.web;
