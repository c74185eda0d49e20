/**
 * Standalone mode: what the server answers without the application. {@link io.jcable.standalone.StandaloneAnswers}
 * is the session layer's {@link io.jcable.session.LocalAnswers}: it identifies sockets by JWT or lets them in
 * (noauth), and {@link io.jcable.standalone.LocalChannels} serves {@code $pubsub} signed and public streams, Turbo
 * Streams and CableReady itself. {@link io.jcable.standalone.NoRpcController} takes the application's place when
 * there is none ({@code ANYCABLE_NORPC}).
 */
package io.jcable.standalone;
