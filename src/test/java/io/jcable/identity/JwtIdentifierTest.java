package io.jcable.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.jcable.testing.Signing;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Tokens signed in the test the way anycable-rails signs them (JDK HMAC only), and every bad case. */
class JwtIdentifierTest {
    private static final String SECRET = "qwerty-secret-for-jwt";
    private static final long NOW = 1_700_000_000L;
    private static final String IDENTIFIERS = "{\"current_user\":\"gid://app/User/42\",\"tenant\":\"acme\"}";
    private static final JwtIdentifier IDENTIFIER =
            new JwtIdentifier(SECRET, Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));

    private static String rejectedReason(String token) {
        return assertInstanceOf(Identification.Rejected.class, IDENTIFIER.identify(token)).reason();
    }

    @Test
    void anycableRailsTokenYieldsTheExtClaimVerbatim() {
        String token = Signing.anycableJwt(SECRET, IDENTIFIERS, NOW + 3600);
        assertEquals(new Identification.Identified(IDENTIFIERS), IDENTIFIER.identify(token));
    }

    @ParameterizedTest
    @CsvSource({"HS256,HmacSHA256", "HS384,HmacSHA384", "HS512,HmacSHA512"})
    void everyHmacAlgorithmIsAccepted(String alg, String jca) {
        String token = Signing.jwt(SECRET, jca, "{\"typ\":\"JWT\",\"alg\":\"" + alg + "\"}",
                Signing.claims(IDENTIFIERS, NOW + 60));
        assertEquals(new Identification.Identified(IDENTIFIERS), IDENTIFIER.identify(token));
    }

    @ParameterizedTest
    @ValueSource(strings = {"k", "s3cЯeT", "a-secret-of-exactly-32-bytes!!!!",
            "a-secret-longer-than-one-sha256-block-of-64-bytes-and-shorter-than-a-sha512-block-of-128-bytes-indeed"})
    void secretsOfAnyLengthWork(String secret) {
        JwtIdentifier identifier = new JwtIdentifier(secret, Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
        for (String[] alg : new String[][] {{"HS256", "HmacSHA256"}, {"HS384", "HmacSHA384"}, {"HS512", "HmacSHA512"}}) {
            String token = Signing.jwt(secret, alg[1], "{\"alg\":\"" + alg[0] + "\"}", Signing.claims(IDENTIFIERS, NOW));
            assertEquals(new Identification.Identified(IDENTIFIERS), identifier.identify(token), alg[0]);
            String other = Signing.jwt(secret + "x", alg[1], "{\"alg\":\"" + alg[0] + "\"}",
                    Signing.claims(IDENTIFIERS, NOW));
            assertEquals(new Identification.Rejected("bad signature"), identifier.identify(other), alg[0]);
        }
    }

    @Test
    void tokenWithoutExpNeverExpires() {
        String token = Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\"}",
                "{\"ext\":" + quote(IDENTIFIERS) + "}");
        assertEquals(new Identification.Identified(IDENTIFIERS), IDENTIFIER.identify(token));
    }

    @Test
    void expIsValidThroughItsSecondAndExpiredAfter() {
        assertInstanceOf(Identification.Identified.class, IDENTIFIER.identify(Signing.anycableJwt(SECRET, IDENTIFIERS, NOW)));
        assertEquals(new Identification.Expired(), IDENTIFIER.identify(Signing.anycableJwt(SECRET, IDENTIFIERS, NOW - 1)));
    }

    @Test
    void expiredTokenWithABadSignatureIsRejectedNotExpired() {
        assertEquals("bad signature", rejectedReason(Signing.anycableJwt("wrong", IDENTIFIERS, NOW - 1)));
    }

    @Test
    void wrongSecretAndTamperedClaimsAreRejected() {
        assertEquals("bad signature", rejectedReason(Signing.anycableJwt("another-secret", IDENTIFIERS, NOW + 60)));
        String token = Signing.anycableJwt(SECRET, IDENTIFIERS, NOW + 60);
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + base64url(Signing.claims("{\"current_user\":\"gid://app/User/1\"}", NOW + 60))
                + "." + parts[2];
        assertEquals("bad signature", rejectedReason(forged));
    }

    @Test
    void algNoneIsRejected() {
        String unsigned = base64url("{\"alg\":\"none\"}") + "." + base64url(Signing.claims(IDENTIFIERS, NOW + 60)) + ".";
        rejectedReason(unsigned);
        String withSignature = unsigned + Signing.anycableJwt(SECRET, IDENTIFIERS, NOW + 60).split("\\.")[2];
        rejectedReason(withSignature);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS256", "ES256", "PS256", "EdDSA", "HS1", "hs256"})
    void nonHmacAlgorithmsAreRejectedEvenWhenMacedWithTheSecret(String alg) {
        String token = Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"" + alg + "\"}", Signing.claims(IDENTIFIERS, NOW + 60));
        rejectedReason(token);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"kid\":\"k1\"", "\"jku\":\"https://evil.example/jwks.json\"",
            "\"x5u\":\"https://evil.example/cert.pem\"", "\"x5c\":[\"MIIB\"]",
            "\"jwk\":{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", "\"crit\":[\"exp\"]"})
    void keySelectingAndCriticalHeadersAreRejected(String member) {
        String token = Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\"," + member + "}",
                Signing.claims(IDENTIFIERS, NOW + 60));
        rejectedReason(token);
    }

    @Test
    void notBeforeInTheFutureIsRejectedWithoutLeeway() {
        String claims = "{\"ext\":" + quote(IDENTIFIERS) + ",\"nbf\":" + (NOW + 1) + "}";
        assertEquals("not valid yet (nbf)", rejectedReason(Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\"}", claims)));
        String valid = "{\"ext\":" + quote(IDENTIFIERS) + ",\"nbf\":" + NOW + "}";
        assertInstanceOf(Identification.Identified.class,
                IDENTIFIER.identify(Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\"}", valid)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"exp\":1800000000}",
        "{\"ext\":{\"user\":\"1\"},\"exp\":1800000000}",
        "{\"ext\":42}",
        "{\"ext\":\"not json\"}",
        "{\"ext\":\"[\\\"an\\\",\\\"array\\\"]\"}",
        "{\"ext\":\"\\\"a string\\\"\"}",
        "{\"ext\":\"{\\\"a\\\":1} trailing\"}",
        "{\"ext\":\"{\\\"a\\\":1}\",\"exp\":\"tomorrow\"}",
        "[\"claims\",\"are\",\"not\",\"an\",\"object\"]",
        "not json at all"})
    void claimsWithoutAnObjectInExtAreRejected(String claims) {
        rejectedReason(Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"HS256\"}", claims));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "a.b", "a.b.c", "a.b.c.d.e", "...", "eyJhbGciOiJIUzI1NiJ9.@@@.###",
            "eyJhbGciOiJIUzI1NiJ9", "e30.e30.e30", "bnVsbA.bnVsbA.bnVsbA"})
    void garbageIsRejected(String token) {
        rejectedReason(token);
    }

    @Test
    void tokensOverFourKibAreRejectedUnread() {
        String padding = "x".repeat(JwtIdentifier.MAX_TOKEN_LENGTH);
        String token = Signing.anycableJwt(SECRET, "{\"pad\":\"" + padding + "\"}", NOW + 60);
        assertEquals("token longer than 4096 characters", rejectedReason(token));
    }

    @Test
    void reasonsNeverQuoteTheToken() {
        String token = Signing.jwt(SECRET, "HmacSHA256", "{\"alg\":\"SECRETALG\"}", Signing.claims(IDENTIFIERS, NOW));
        String reason = rejectedReason(token);
        assertFalse(reason.contains("SECRETALG"), reason);
        assertFalse(rejectedReason("not-a-token-PRIVATE").contains("PRIVATE"));
    }

    private static String base64url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String quote(String text) {
        return new com.google.gson.JsonPrimitive(text).toString();
    }
}
