package io.jcable.identity;

import com.google.gson.JsonElement;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.jcable.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Date;
import java.util.Set;

/**
 * Verifies AnyCable identification tokens as anycable-rails makes them: a JWS signed with HS256, HS384 or HS512
 * whose {@code ext} claim is a JSON string holding the connection identifiers (a JSON object), with an optional
 * {@code exp} (passed → {@link Identification.Expired}) and {@code nbf} (in the future → rejected, no leeway).
 * Any other algorithm ({@code none}, RSA, …), a header that picks a key ({@code kid}, {@code jku}, {@code jwk},
 * {@code x5u}, {@code x5c}) or declares critical extensions, and tokens over {@value #MAX_TOKEN_LENGTH} characters
 * are rejected. The signature is checked before any claim, so a forged token is never reported as expired.
 * Thread-safe.
 */
public final class JwtIdentifier {
    /** Longest token looked at; longer ones are rejected unread. */
    public static final int MAX_TOKEN_LENGTH = 4096;
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384,
            JWSAlgorithm.HS512);
    /** Block size of SHA-256, and the key length nimbus wants for HS512. */
    private static final int PADDED_KEY_BYTES = 64;

    private final MACVerifier verifier;
    private final Clock clock;

    /** @param secret the HMAC key (its UTF-8 bytes, as Ruby's jwt gem and anycable-go use it) */
    public JwtIdentifier(String secret, Clock clock) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        // nimbus insists on RFC 7518's key sizes (256 bits for HS256, 512 for HS512); anycable-go and Ruby's jwt
        // accept any secret. HMAC (RFC 2104) pads a key shorter than the hash's block (64 bytes for SHA-256, 128
        // for SHA-384/512) with zeros, so the zero-padded key yields exactly the MACs of the short one.
        if (key.length < PADDED_KEY_BYTES) {
            key = Arrays.copyOf(key, PADDED_KEY_BYTES);
        }
        try {
            this.verifier = new MACVerifier(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("HMAC verifier refused a " + key.length + "-byte key", e);
        }
        this.clock = clock;
    }

    /** The verdict on {@code token} (as the client sent it). */
    public Identification identify(String token) {
        if (token.length() > MAX_TOKEN_LENGTH) {
            return new Identification.Rejected("token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        try {
            return verified(SignedJWT.parse(token));
        } catch (ParseException e) {
            return new Identification.Rejected("not a signed JWT");
        } catch (JOSEException e) {
            return new Identification.Rejected("signature cannot be checked");
        } catch (RuntimeException e) {
            // The library parses attacker-chosen text: whatever it throws means "not a token we accept".
            return new Identification.Rejected("unreadable token (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Identification verified(SignedJWT jwt) throws ParseException, JOSEException {
        JWSHeader header = jwt.getHeader();
        if (!ALGORITHMS.contains(header.getAlgorithm())) {
            return new Identification.Rejected("algorithm is not HS256, HS384 or HS512");
        }
        if (header.getKeyID() != null || header.getJWKURL() != null || header.getJWK() != null
                || header.getX509CertURL() != null || header.getX509CertChain() != null
                || header.getCriticalParams() != null) {
            return new Identification.Rejected("header names a key or critical extensions");
        }
        if (!jwt.verify(verifier)) {
            return new Identification.Rejected("bad signature");
        }
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        // Whole seconds, as the claims are written and as anycable-go compares them: valid through second exp.
        long now = clock.instant().getEpochSecond();
        Date expires = claims.getExpirationTime();
        if (expires != null && now > expires.getTime() / 1000) {
            return new Identification.Expired();
        }
        Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now < notBefore.getTime() / 1000) {
            return new Identification.Rejected("not valid yet (nbf)");
        }
        if (!(claims.getClaim("ext") instanceof String ext)) {
            return new Identification.Rejected("no ext claim holding a JSON string");
        }
        JsonElement identifiers = Json.parseStrict(ext);
        if (identifiers == null || !identifiers.isJsonObject()) {
            return new Identification.Rejected("ext claim is not a JSON object");
        }
        return new Identification.Identified(ext);
    }
}
