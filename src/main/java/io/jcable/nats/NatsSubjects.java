package io.jcable.nats;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The NATS subject of a stream: the stream name itself when it is a literal subject (no white space or control
 * character, no wildcard token, no empty token), else {@code _jcable.<url-safe SHA-256 of the name>}, which
 * every jcable node computes alike. The publication inside still names the real stream.
 */
public final class NatsSubjects {
    private NatsSubjects() {
    }

    public static String of(String stream) {
        return isLiteral(stream) ? stream : "_jcable." + hash(stream);
    }

    static boolean isLiteral(String subject) {
        if (subject.isEmpty() || subject.startsWith(".") || subject.endsWith(".") || subject.contains("..")) {
            return false;
        }
        for (int i = 0; i < subject.length(); i++) {
            char c = subject.charAt(i);
            if (c <= ' ' || c == 0x7f || Character.isWhitespace(c)) {
                return false;
            }
        }
        for (String token : subject.split("\\.")) {
            if (token.equals("*") || token.equals(">")) {
                return false;
            }
        }
        return true;
    }

    private static String hash(String stream) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(stream.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
