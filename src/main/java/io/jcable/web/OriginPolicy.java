package io.jcable.web;

import java.util.List;
import java.util.Locale;

/**
 * {@code ANYCABLE_ALLOWED_ORIGINS} with anycable-go's rule: an empty list allows every origin; otherwise the
 * Origin header loses its scheme and the rest, {@code host[:port]}, is compared case-insensitively with each
 * pattern, where a leading {@code *} turns the rest of the pattern into a suffix. So {@code *} alone allows every
 * origin (even none), and {@code *.example.com} matches {@code a.example.com} and {@code b.a.example.com} but not
 * the apex {@code example.com}. jcable also tries the host without its port, so a pattern that names no port
 * matches any port, and it drops a scheme written in a pattern; both only widen what anycable-go accepts.
 */
final class OriginPolicy {
    private final List<String> patterns;

    OriginPolicy(List<String> allowed) {
        this.patterns = allowed.stream().map(pattern -> authority(pattern.trim().toLowerCase(Locale.ROOT), true))
                .toList();
    }

    boolean allows(String origin) {
        if (patterns.isEmpty()) {
            return true;
        }
        String authority = origin == null ? "" : authority(origin.trim().toLowerCase(Locale.ROOT), false);
        String host = withoutPort(authority);
        for (String pattern : patterns) {
            if (matches(pattern, authority) || matches(pattern, host)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String candidate) {
        return pattern.startsWith("*") ? candidate.endsWith(pattern.substring(1)) : candidate.equals(pattern);
    }

    /**
     * The {@code host[:port]} of a URL-like value: what follows {@code scheme://} up to a path, query or fragment,
     * without user info. Without a scheme, an origin has no host (as Go's URL parser reads it: {@code null} or
     * {@code example.com} only match {@code *}), while a pattern is taken as written.
     */
    private static String authority(String value, boolean pattern) {
        int scheme = value.indexOf("://");
        if (scheme < 0) {
            return pattern ? value : "";
        }
        int start = scheme + 3;
        int end = start;
        while (end < value.length() && "/?#".indexOf(value.charAt(end)) < 0) {
            end++;
        }
        int userInfo = value.lastIndexOf('@', end - 1);
        return value.substring(userInfo >= start ? userInfo + 1 : start, end);
    }

    /** {@code host} of {@code host:port} ({@code [v6]:port} keeps its brackets). */
    private static String withoutPort(String authority) {
        int colon = authority.lastIndexOf(':');
        boolean hasPort = colon > authority.lastIndexOf(']')
                && (authority.startsWith("[") || authority.indexOf(':') == colon);
        return hasPort ? authority.substring(0, colon) : authority;
    }
}
