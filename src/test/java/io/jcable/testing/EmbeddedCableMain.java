package io.jcable.testing;

/**
 * Runs jcable in embedded Jetty as its own process (options from the environment, like {@code jetty:run}),
 * with Jetty's shutdown hook on: tests send it SIGTERM to check the notice beats the connector shutdown.
 * Prints {@code READY <port>} once it accepts connections.
 */
public final class EmbeddedCableMain {
    private EmbeddedCableMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        CableServer server = CableServer.startFromProcessSettings(0, true);
        System.out.println("READY " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
