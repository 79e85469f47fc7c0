package io.switchboard.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class OriginPolicyTest {
    private static OriginPolicy policy(String... patterns) {
        return OriginPolicy.of(List.of(patterns).stream().map(OriginPolicy.Pattern::parse).toList());
    }

    @Test
    void exactOriginsMatchNormalised() {
        OriginPolicy p = policy("https://app.example.com", "http://localhost:3000");
        assertThat(p.allows("https://app.example.com")).isTrue();
        assertThat(p.allows("HTTPS://App.Example.COM")).isTrue();
        assertThat(p.allows("https://app.example.com:443")).isTrue();
        assertThat(p.allows("http://localhost:3000")).isTrue();

        assertThat(p.allows("http://app.example.com")).as("another scheme").isFalse();
        assertThat(p.allows("https://app.example.com:8443")).as("another port").isFalse();
        assertThat(p.allows("http://localhost")).as("default port is not 3000").isFalse();
        assertThat(p.allows("https://evil.app.example.com")).as("a subdomain of an exact origin").isFalse();
        assertThat(p.allows("https://app.example.com.evil.net")).isFalse();
    }

    @Test
    void wildcardsMatchEverySubdomainButNotTheDomain() {
        OriginPolicy p = policy("https://*.example.com");
        assertThat(p.allows("https://a.example.com")).isTrue();
        assertThat(p.allows("https://a.b.example.com")).isTrue();

        assertThat(p.allows("https://example.com")).isFalse();
        assertThat(p.allows("https://aexample.com")).isFalse();
        assertThat(p.allows("https://a.example.com.evil.net")).isFalse();
        assertThat(p.allows("http://a.example.com")).isFalse();
        assertThat(p.allows("https://a.example.com:8443")).isFalse();
        assertThat(policy("https://*.example.com:8443").allows("https://a.example.com:8443")).isTrue();
    }

    @Test
    void originsThatDoNotParseAreNeverAllowed() {
        OriginPolicy p = policy("https://app.example.com", "https://*.example.com");
        for (String bad : new String[] {"null", "", "app.example.com", "https://app.example.com/path",
                "https://user@app.example.com", "file:///etc/passwd", "https://app.example.com?x", "://"}) {
            assertThat(p.allows(bad)).as(bad).isFalse();
        }
        assertThat(p.allows(null)).isFalse();
    }

    @Test
    void badPatternsAreRejectedWithTheExpectedForm() {
        assertThatThrownBy(() -> OriginPolicy.Pattern.parse("app.example.com"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: scheme://host");
        assertThatThrownBy(() -> OriginPolicy.Pattern.parse("https://*.com"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wildcard");
        assertThatThrownBy(() -> OriginPolicy.Pattern.parse("https://app.example.com/"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(OriginPolicy.Pattern.parse(" https://*.Example.com:443 ")).hasToString("https://*.example.com");
    }
}
