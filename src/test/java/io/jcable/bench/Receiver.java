package io.jcable.bench;

/** Sees every frame a subscribed client receives (on a Jetty client thread: keep it short). */
@FunctionalInterface
interface Receiver {
    Receiver IGNORE = (client, frame, receivedNanos) -> {
    };

    void onMessage(LoadClient client, String frame, long receivedNanos);
}
