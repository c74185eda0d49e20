package io.jcable.web;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/** {@code ANYCABLE_ALLOWED_ORIGINS}: empty allows all; {@code *.example.com} matches the domain and subdomains. */
final class OriginPolicy {
    private final List<String> allowed;

    OriginPolicy(List<String> allowed) {
        this.allowed = allowed.stream().map(OriginPolicy::normalize).toList();
    }

    boolean allows(String origin) {
        if (allowed.isEmpty()) {
            return true;
        }
        if (origin == null || origin.isEmpty()) {
            return false;
        }
        String host = normalize(origin);
        for (String pattern : allowed) {
            if (pattern.startsWith("*.")) {
                String domain = pattern.substring(2);
                if (host.equals(domain) || host.endsWith("." + domain)) {
                    return true;
                }
            } else if (host.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    /** Host (and port, if any) of an origin or pattern, lower-case, without scheme. */
    private static String normalize(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        if (text.contains("://")) {
            try {
                URI uri = URI.create(text);
                if (uri.getHost() != null) {
                    return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
                }
            } catch (IllegalArgumentException e) {
                return text;
            }
        }
        return text;
    }
}
