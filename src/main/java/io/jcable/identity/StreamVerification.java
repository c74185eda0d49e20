package io.jcable.identity;

/** What a signed stream name says. */
public sealed interface StreamVerification {

    /** Valid signature over a JSON string: the stream to attach. */
    record Verified(String stream) implements StreamVerification {
    }

    /** Not signed by this secret, or not a stream name; {@code reason} is for the log and quotes no input. */
    record Refused(String reason) implements StreamVerification {
    }
}
