package io.jcable.presence;

/**
 * What one subscription of a session joined: kept by the session so that it can leave, linger or be handed over
 * to a restored session.
 *
 * @param stream the presence stream (the subscription's {@code $p} at the time of the join)
 * @param id     the presence id
 * @param info   the info as JSON text
 */
public record Membership(String stream, String id, String info) {
}
