package io.jcable.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.jcable.testing.Signing;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Rails {@code MessageVerifier} (SHA256, JSON) vectors, and every way a signed name can be bad. */
class SignedStreamsTest {
    private static final String SECRET = "s3Krit";
    private static final SignedStreams STREAMS = new SignedStreams(SECRET);

    private static String refusal(String signed) {
        return assertInstanceOf(StreamVerification.Refused.class, STREAMS.verify(signed)).reason();
    }

    @Test
    void turboSignedStreamNameFromRails() {
        // Turbo.signed_stream_verifier_key = "s3Krit"; Turbo::StreamsChannel.signed_stream_name([:chat, "2021"])
        assertEquals(new StreamVerification.Verified("chat:2021"),
                STREAMS.verify("ImNoYXQ6MjAyMSI=--f9ee45dbccb1da04d8ceb99cc820207804370ba0d06b46fc3b8b373af1315628"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat/2024", "gid://app/Room/1:messages", "ünïcödé 流 🚀", "with \"quotes\" and \\ slash",
            "", "a--b"})
    void namesSignedAsRailsSignsThemVerify(String stream) {
        assertEquals(new StreamVerification.Verified(stream), STREAMS.verify(Signing.signedStream(SECRET, stream)));
    }

    @Test
    void anotherSecretOrATamperedPartIsABadSignature() {
        assertEquals("bad signature", refusal(Signing.signedStream("other", "chat:2021")));
        String signed = Signing.signedStream(SECRET, "chat:2021");
        String otherData = Base64.getEncoder().encodeToString("\"chat:2022\"".getBytes(StandardCharsets.UTF_8));
        assertEquals("bad signature", refusal(otherData + signed.substring(signed.indexOf("--"))));
        assertEquals("bad signature", refusal(signed.substring(0, signed.indexOf("--") + 2)
                + signed.substring(signed.indexOf("--") + 2).toUpperCase()));
        assertEquals("bad signature", refusal(signed.substring(0, signed.length() - 1)
                + (signed.endsWith("0") ? "1" : "0")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--", "chat:2021", "ImNoYXQ6MjAyMSI=", "ImNoYXQ6MjAyMSI=--",
            "ImNoYXQ6MjAyMSI=--f9ee45", "--f9ee45dbccb1da04d8ceb99cc820207804370ba0d06b46fc3b8b373af1315628",
            "ImNoYXQ6MjAyMSI=--f9ee45dbccb1da04d8ceb99cc820207804370ba0d06b46fc3b8b373af13156280"})
    void malformedNamesAreRefused(String signed) {
        refusal(signed);
    }

    @Test
    void validSignatureOverBadDataIsRefused() {
        assertEquals("data is not strict base64", refusal(Signing.signedData(SECRET, "not base64!")));
        assertEquals("data is not strict base64", refusal(Signing.signedData(SECRET, "ImNoYXQ6MjAyMSI")));
        assertEquals("signed data is not a JSON string", refusal(Signing.signedData(SECRET, base64("chat:2021"))));
        assertEquals("signed data is not a JSON string", refusal(Signing.signedData(SECRET, base64("42"))));
        assertEquals("signed data is not a JSON string", refusal(Signing.signedData(SECRET, base64("{\"a\":1}"))));
        assertEquals("signed data is not a JSON string", refusal(Signing.signedData(SECRET, base64("'single'"))));
        assertEquals("signed data is not a JSON string", refusal(Signing.signedData(SECRET, base64("\"a\" \"b\""))));
        // a Rails-signed array (a stream with an expiry, as some apps sign them) is not a stream name
        assertEquals("signed data is not a JSON string", refusal(
                "WyJjaGF0LzIwMjMiLDE2ODUwMjQwMTdd--5b6661024d4c463c4936cd1542bc9a7672dd8039ac407d0b6c901697190e8aeb"));
    }

    @Test
    void namesOverFourKibAreRefusedUnread() {
        String signed = Signing.signedStream(SECRET, "x".repeat(SignedStreams.MAX_SIGNED_LENGTH));
        assertEquals("signed name longer than 4096 characters", refusal(signed));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
