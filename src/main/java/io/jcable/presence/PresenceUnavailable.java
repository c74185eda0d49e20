package io.jcable.presence;

/** The store cannot serve presence now (no broker, Redis down or too slow): the client gets the error frame. */
public final class PresenceUnavailable extends RuntimeException {

    public PresenceUnavailable(String message) {
        super(message, null, false, false);
    }
}
