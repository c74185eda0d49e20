package io.jcable.protocol;

/** Server-made disconnect reasons with their close codes (docs/protocol.md §5). */
public enum DisconnectReason {
    /** Connect refused: an invalid token, none where one is required, or no way to identify without RPC. */
    UNAUTHORIZED("unauthorized", false, 1000, "Auth Failed"),
    /** A validly signed token whose {@code exp} has passed. */
    TOKEN_EXPIRED("token_expired", false, 1000, "Auth Failed"),
    SERVER_RESTART("server_restart", true, 1001, "Server restart"),
    SERVER_ERROR("server_error", true, 1011, "Auth Error"),
    TOO_SLOW("too_slow", true, 1000, "Too slow"),
    NO_PONG("no_pong", true, 1000, "No Pong");

    private final String wireName;
    private final boolean reconnect;
    private final int closeCode;
    private final String closeText;

    DisconnectReason(String wireName, boolean reconnect, int closeCode, String closeText) {
        this.wireName = wireName;
        this.reconnect = reconnect;
        this.closeCode = closeCode;
        this.closeText = closeText;
    }

    public String wireName() {
        return wireName;
    }

    public boolean reconnect() {
        return reconnect;
    }

    public int closeCode() {
        return closeCode;
    }

    public String closeText() {
        return closeText;
    }
}
