package io.jcable.boot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Runs the graceful shutdown on SIGTERM before the JVM starts shutting down, then hands the signal to the
 * previous handler. Needed because Jetty's own shutdown hook stops the connector — dropping every socket —
 * before {@code contextDestroyed} runs (docs/protocol.md §5).
 */
final class TermSignal implements SignalHandler {
    private static final Logger LOG = LoggerFactory.getLogger(TermSignal.class);
    private static final Signal TERM = new Signal("TERM");

    private final Runnable beforeExit;
    private SignalHandler previous;

    private TermSignal(Runnable beforeExit) {
        this.beforeExit = beforeExit;
    }

    /** Installs the handler; null when the platform does not allow it. */
    static TermSignal install(Runnable beforeExit) {
        TermSignal handler = new TermSignal(beforeExit);
        try {
            handler.previous = Signal.handle(TERM, handler);
            return handler;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("Cannot handle SIGTERM ({}); shutdown notices rely on the container's stop order", e.toString());
            return null;
        }
    }

    @Override
    public void handle(Signal signal) {
        LOG.info("SIGTERM received: notifying clients before the container stops");
        try {
            beforeExit.run();
        } catch (RuntimeException e) {
            LOG.error("Graceful shutdown failed", e);
        }
        if (previous == SignalHandler.SIG_DFL || previous == SignalHandler.SIG_IGN || previous == null) {
            System.exit(128 + 15);
        }
        previous.handle(signal);
    }

    /** Puts the previous handler back if ours is still the installed one (undeploy without exit). */
    void restore() {
        try {
            SignalHandler current = Signal.handle(TERM, previous);
            if (current != this) {
                Signal.handle(TERM, current);
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.debug("Restoring the SIGTERM handler failed: {}", e.toString());
        }
    }
}
