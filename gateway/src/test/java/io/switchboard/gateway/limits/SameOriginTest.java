package io.switchboard.gateway.limits;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SameOriginTest {
    @Test
    void hostAndPortMustMatchTheHostHeaderWhateverTheScheme() {
        assertThat(SameOrigin.matches("http://gw.example.com:8080", Optional.of("gw.example.com:8080"), false)).isTrue();
        assertThat(SameOrigin.matches("https://GW.example.com:8080", Optional.of("gw.example.com:8080"), false)).isTrue();
        assertThat(SameOrigin.matches("http://gw.example.com:8081", Optional.of("gw.example.com:8080"), false)).isFalse();
        assertThat(SameOrigin.matches("http://evil.example.com:8080", Optional.of("gw.example.com:8080"), false))
                .isFalse();
    }

    @Test
    void defaultPortsFillInWhatTheHeadersLeaveOut() {
        assertThat(SameOrigin.matches("https://gw.example.com", Optional.of("gw.example.com"), true)).isTrue();
        assertThat(SameOrigin.matches("https://gw.example.com", Optional.of("gw.example.com:443"), false)).isTrue();
        assertThat(SameOrigin.matches("http://gw.example.com", Optional.of("gw.example.com"), true)).isFalse();
    }

    @Test
    void anOpaqueOriginOrNoHostNeverMatches() {
        assertThat(SameOrigin.matches("null", Optional.of("gw.example.com"), false)).isFalse();
        assertThat(SameOrigin.matches("http://gw.example.com", Optional.empty(), false)).isFalse();
        assertThat(SameOrigin.matches("http://gw.example.com", Optional.of("gw.example.com:x"), false)).isFalse();
    }
}
