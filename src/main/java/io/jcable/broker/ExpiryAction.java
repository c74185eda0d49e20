package io.jcable.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a cached session's expiry action (its Disconnect call); a failure is logged, never thrown at the sweep. */
final class ExpiryAction {
    private static final Logger LOG = LoggerFactory.getLogger(ExpiryAction.class);

    private ExpiryAction() {
    }

    static void run(String sid, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("sid={} expiry of the cached session failed", sid, e);
        }
    }
}
