package io.jcable.identity;

import com.google.gson.JsonElement;
import io.jcable.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies stream names signed as Rails' {@code ActiveSupport::MessageVerifier} (digest SHA256, serializer JSON)
 * signs them, which is what Turbo's {@code signed_stream_name} and anycable-rails' {@code signed_stream_name}
 * produce: {@code <strict base64 of the JSON text>--<lower-case hex HMAC-SHA256 of that base64 text>}. The digest
 * is compared in constant time, before anything is decoded. Names over {@value #MAX_SIGNED_LENGTH} characters are
 * refused unread. Thread-safe.
 */
public final class SignedStreams {
    /** Longest signed name looked at. */
    public static final int MAX_SIGNED_LENGTH = 4096;
    private static final String SEPARATOR = "--";
    private static final int DIGEST_HEX_LENGTH = 64;
    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;

    public SignedStreams(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC);
        mac();
    }

    /** The verdict on {@code signed} (as the client sent it). */
    public StreamVerification verify(String signed) {
        if (signed.length() > MAX_SIGNED_LENGTH) {
            return new StreamVerification.Refused("signed name longer than " + MAX_SIGNED_LENGTH + " characters");
        }
        int separator = signed.lastIndexOf(SEPARATOR);
        if (separator <= 0 || signed.length() - separator - SEPARATOR.length() != DIGEST_HEX_LENGTH) {
            return new StreamVerification.Refused("not <data>--<64 hex digits>");
        }
        String data = signed.substring(0, separator);
        byte[] expected = sign(data).getBytes(StandardCharsets.US_ASCII);
        byte[] given = signed.substring(separator + SEPARATOR.length()).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, given)) {
            return new StreamVerification.Refused("bad signature");
        }
        // Rails decodes with strict_decode64: padding required, no line breaks, nothing outside the alphabet.
        byte[] json;
        try {
            json = data.length() % 4 == 0 ? Base64.getDecoder().decode(data) : null;
        } catch (IllegalArgumentException e) {
            json = null;
        }
        if (json == null) {
            return new StreamVerification.Refused("data is not strict base64");
        }
        JsonElement name = Json.parseStrict(new String(json, StandardCharsets.UTF_8));
        if (name == null || !name.isJsonPrimitive() || !name.getAsJsonPrimitive().isString()) {
            return new StreamVerification.Refused("signed data is not a JSON string");
        }
        return new StreamVerification.Verified(name.getAsString());
    }

    /** Lower-case hex HMAC-SHA256 of {@code data}, as the Rails app computes it. */
    String sign(String data) {
        return HexFormat.of().formatHex(mac().doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }

    /** A fresh Mac per use: {@code Mac} is not thread-safe, and one costs less than contention on a shared one. */
    private Mac mac() {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC + " unavailable", e);
        }
    }
}
