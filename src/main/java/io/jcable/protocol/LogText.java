package io.jcable.protocol;

import java.util.regex.Pattern;

/**
 * Makes text that a client or publisher chose safe for a log line: control characters (newlines included, so no
 * forged lines) and line separators escaped, and cut to {@link #MAX_CHARS} characters.
 */
public final class LogText {
    /** Longest piece of foreign text put in a log line. */
    public static final int MAX_CHARS = 200;

    /** The value of a signed stream name in an identifier: a capability to read the stream, not for logs. */
    private static final Pattern SIGNED_NAME =
            Pattern.compile("(\"signed_stream_name\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*(\")");

    private LogText() {
    }

    /** A channel identifier for a log line: {@link #clip}ped, with any signed stream name left out. */
    public static String identifier(String identifier) {
        return clip(identifier == null ? null : SIGNED_NAME.matcher(identifier).replaceAll("$1[redacted]$2"));
    }

    public static String clip(String text) {
        if (text == null) {
            return "null";
        }
        int end = Math.min(text.length(), MAX_CHARS);
        StringBuilder out = null;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            boolean unsafe = c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085';
            if (unsafe && out == null) {
                out = new StringBuilder(end + 16).append(text, 0, i);
            }
            if (out != null) {
                switch (c) {
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (unsafe) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
        }
        String safe = out == null ? text.substring(0, end) : out.toString();
        return end < text.length() ? safe + "…(" + text.length() + " chars)" : safe;
    }
}
