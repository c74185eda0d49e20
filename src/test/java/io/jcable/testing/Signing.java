package io.jcable.testing;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test vectors made the way the Rails side makes them, with the JDK's HMAC only (independent of jcable's code and
 * of the JWT library it uses): anycable-rails' {@code AnyCable::JWT.encode} (Ruby's jwt gem: base64url without
 * padding, {@code {"alg":"HS256"}}, claims {@code ext} and {@code exp}) and Rails' {@code MessageVerifier} with
 * digest SHA256 and the JSON serializer (Turbo's {@code signed_stream_name}, anycable-rails'
 * {@code signed_stream_name}).
 */
public final class Signing {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private Signing() {
    }

    /** A JWS over the given header and claims texts, MACed with {@code jcaAlgorithm} (HmacSHA256, …). */
    public static String jwt(String secret, String jcaAlgorithm, String headerJson, String claimsJson) {
        String signingInput = BASE64URL.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        return signingInput + "." + BASE64URL.encodeToString(hmac(jcaAlgorithm, secret, signingInput));
    }

    /** {@code AnyCable::JWT.encode(identifiers, expires_at:)}: HS256, {@code ext} = the identifiers' JSON text. */
    public static String anycableJwt(String secret, String identifiersJson, long expiresAtEpochSecond) {
        return jwt(secret, "HmacSHA256", "{\"alg\":\"HS256\"}", claims(identifiersJson, expiresAtEpochSecond));
    }

    /** {@code {"ext":<identifiers as a JSON string>,"exp":<exp>}}. */
    public static String claims(String identifiersJson, long expiresAtEpochSecond) {
        JsonObject claims = new JsonObject();
        claims.addProperty("ext", identifiersJson);
        claims.addProperty("exp", expiresAtEpochSecond);
        return GSON.toJson(claims);
    }

    /** {@code MessageVerifier#generate(stream)}: strict base64 of the JSON text, "--", hex HMAC-SHA256 of that. */
    public static String signedStream(String secret, String stream) {
        return signedData(secret, Base64.getEncoder().encodeToString(GSON.toJson(stream).getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code data} as it is, followed by "--" and its hex HMAC-SHA256: a valid signature over any text. */
    public static String signedData(String secret, String data) {
        return data + "--" + HexFormat.of().formatHex(hmac("HmacSHA256", secret, data));
    }

    private static byte[] hmac(String algorithm, String secret, String data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
