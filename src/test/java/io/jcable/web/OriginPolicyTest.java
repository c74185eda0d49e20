package io.jcable.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ANYCABLE_ALLOWED_ORIGINS as anycable-go's CheckOrigin reads it, plus jcable's port-free matching. */
class OriginPolicyTest {

    @Test
    void noPatternsAllowEverything() {
        OriginPolicy policy = new OriginPolicy(List.of());
        assertTrue(policy.allows(null));
        assertTrue(policy.allows("https://anything.test"));
    }

    @Test
    void aLoneStarAllowsEveryOriginEvenNone() {
        OriginPolicy policy = new OriginPolicy(List.of("*"));
        assertTrue(policy.allows("https://evil.test"));
        assertTrue(policy.allows("http://localhost:3000"));
        assertTrue(policy.allows("null"));
        assertTrue(policy.allows(null));
    }

    @Test
    void aLeadingStarIsASuffixMatchThatLeavesTheApexOut() {
        OriginPolicy policy = new OriginPolicy(List.of("*.example.com"));
        assertTrue(policy.allows("https://a.example.com"));
        assertTrue(policy.allows("https://b.a.example.com"));
        assertFalse(policy.allows("https://example.com"));
        assertFalse(policy.allows("https://evilexample.com"));
        assertFalse(policy.allows("https://example.com.evil.test"));
        assertFalse(policy.allows(null));
        // a plain suffix, as in anycable-go's documentation ("*example.io")
        OriginPolicy suffix = new OriginPolicy(List.of("*example.io"));
        assertTrue(suffix.allows("https://example.io"));
        assertTrue(suffix.allows("https://www.example.io"));
        assertTrue(suffix.allows("https://myexample.io"));
        assertFalse(suffix.allows("https://example.io.test"));
    }

    @Test
    void matchingIgnoresCaseAndScheme() {
        OriginPolicy policy = new OriginPolicy(List.of("App.Example.COM", "*.Example.ORG"));
        assertTrue(policy.allows("https://app.example.com"));
        assertTrue(policy.allows("HTTP://APP.EXAMPLE.COM"));
        assertTrue(policy.allows("file://app.example.com"));
        assertTrue(policy.allows("https://WWW.example.org"));
        assertFalse(policy.allows("https://other.example.com"));
    }

    @Test
    void aPatternWithoutPortMatchesAnyPortAndOneWithAPortOnlyThatPort() {
        OriginPolicy policy = new OriginPolicy(List.of("*.example.com", "app.test", "api.test:3000", "*.local:8080"));
        assertTrue(policy.allows("https://a.example.com:8443"));
        assertTrue(policy.allows("http://app.test:3000"));
        assertTrue(policy.allows("http://api.test:3000"));
        assertFalse(policy.allows("http://api.test"));
        assertFalse(policy.allows("http://api.test:3001"));
        assertTrue(policy.allows("http://my.local:8080"));
        assertFalse(policy.allows("http://my.local:8081"));
        OriginPolicy v6 = new OriginPolicy(List.of("[::1]"));
        assertTrue(v6.allows("http://[::1]:8080"));
        assertTrue(v6.allows("http://[::1]"));
    }

    @Test
    void onlyTheOriginsHostCounts() {
        OriginPolicy policy = new OriginPolicy(List.of("*.example.com", "https://written.with.scheme/"));
        assertFalse(policy.allows("https://evil.test/.example.com"));
        assertFalse(policy.allows("https://evil.test?.example.com"));
        assertFalse(policy.allows("https://a.example.com@evil.test"));
        assertTrue(policy.allows("https://evil@a.example.com"));
        assertFalse(policy.allows("a.example.com"));
        assertTrue(policy.allows("http://written.with.scheme"));
    }
}
