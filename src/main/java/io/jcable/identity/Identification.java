package io.jcable.identity;

/** What a JWT says about a connection. */
public sealed interface Identification {

    /** Valid token: {@code identifiers} is the {@code ext} claim as sent, a JSON object text. */
    record Identified(String identifiers) implements Identification {
    }

    /** Validly signed, but its {@code exp} has passed. */
    record Expired() implements Identification {
    }

    /** Not a token this server accepts; {@code reason} is for the log and holds no part of the token. */
    record Rejected(String reason) implements Identification {
    }
}
