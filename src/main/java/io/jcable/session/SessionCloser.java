package io.jcable.session;

/** How a part of the session layer ends a session the server decided to close ({@link Node#close}). */
@FunctionalInterface
interface SessionCloser {
    void close(ClientSession session, int code, String reason);
}
