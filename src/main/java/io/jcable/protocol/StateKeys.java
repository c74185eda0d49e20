package io.jcable.protocol;

/**
 * The istate keys of the extended protocol (docs/protocol.md §6.5, §6.6), set by the application or by
 * {@code $pubsub}.
 */
public final class StateKeys {
    /** The stream a subscription's whispers go to. */
    public static final String WHISPER = "$w";
    /** The stream a subscription's presence is kept for. */
    public static final String PRESENCE = "$p";

    private StateKeys() {
    }
}
