package io.switchboard.router.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiConfigTest {
    private static Config router(Map<String, String> values) {
        return Config.just(ConfigSources.create(values)).get("router");
    }

    @Test
    void defaultsAreDisabledAndNeedNoKey() {
        ApiConfig config = ApiConfig.from(router(Map.of("router.id", "r1")));
        assertThat(config).isEqualTo(ApiConfig.defaults());
        assertThat(config.enabled()).isFalse();
        assertThat(config.defaultDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.streamWindow()).isEqualTo(256);
        assertThat(config.ratePerSecond()).isEqualTo(5000);
        assertThat(config.auth().clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.auth().jwksRefreshInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.auth().jwksMinRefetchInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.auth().jwksTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void readsEveryKey(@TempDir Path dir) throws Exception {
        Path pem = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
        ApiConfig config = ApiConfig.from(router(Map.ofEntries(
                Map.entry("router.api.enabled", "true"),
                Map.entry("router.api.default-deadline", "PT3S"),
                Map.entry("router.api.stream-window", "64"),
                Map.entry("router.api.rate-limit.per-second", "100"),
                Map.entry("router.api.auth.hs256-secret", Tokens.SECRET),
                Map.entry("router.api.auth.rs256-public-key-file", pem.toString()),
                Map.entry("router.api.auth.jwks-file", "/etc/switchboard/jwks.json"),
                Map.entry("router.api.auth.jwks-url", "https://auth.example/jwks.json"),
                Map.entry("router.api.auth.jwks-refresh-interval", "PT10M"),
                Map.entry("router.api.auth.jwks-min-refetch-interval", "PT2S"),
                Map.entry("router.api.auth.jwks-timeout", "PT3S"),
                Map.entry("router.api.auth.issuer", "https://auth.example"),
                Map.entry("router.api.auth.audience", "switchboard-api"),
                Map.entry("router.api.auth.clock-skew", "PT5S"))));
        assertThat(config).isEqualTo(new ApiConfig(true, Duration.ofSeconds(3), 64, 100, new ApiAuthConfig(
                Optional.of(Tokens.SECRET), Optional.of(pem), Optional.of(Path.of("/etc/switchboard/jwks.json")),
                Optional.of(URI.create("https://auth.example/jwks.json")), Duration.ofMinutes(10),
                Duration.ofSeconds(2), Duration.ofSeconds(3), Optional.of("https://auth.example"),
                Optional.of("switchboard-api"), Duration.ofSeconds(5))));
        assertThat(config.toString()).doesNotContain(Tokens.SECRET);
    }

    @Test
    void enabledWithoutAKeyIsRefused() {
        assertThatThrownBy(() -> ApiConfig.from(router(Map.of("router.api.enabled", "true"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("router.api.auth: no key (expected: router.api.auth.hs256-secret,"
                        + " rs256-public-key-file, jwks-file and/or jwks-url");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> ApiConfig.from(router(Map.of("router.api.stream-window", "0"))))
                .hasMessage("router.api.stream-window: 0 (expected: 1-65536)");
        assertThatThrownBy(() -> ApiConfig.from(router(Map.of("router.api.rate-limit.per-second", "-1"))))
                .hasMessage("router.api.rate-limit.per-second: -1 (expected: > 0)");
        assertThatThrownBy(() -> ApiConfig.from(router(Map.of("router.api.default-deadline", "10s"))))
                .hasMessageContaining("router.api.default-deadline: '10s'");
        assertThatThrownBy(() -> ApiConfig.from(router(Map.of("router.api.auth.hs256-secret", "short"))))
                .hasMessage("router.api.auth.hs256-secret: <5 characters> (expected: >= 32 bytes)");
        assertThatThrownBy(() -> ApiConfig.from(router(Map.of("router.api.enabled", "true",
                "router.api.auth.rs256-public-key-file", "/nonexistent/key.pem"))))
                .hasMessage("router.api.auth.rs256-public-key-file: /nonexistent/key.pem (expected: a readable PEM"
                        + " file)");
    }

    @Test
    void everyKeyIsListed() {
        assertThat(ApiConfig.KEYS).containsExactlyInAnyOrder("api.enabled", "api.default-deadline",
                "api.stream-window", "api.rate-limit.per-second", "api.auth.hs256-secret",
                "api.auth.rs256-public-key-file", "api.auth.jwks-file", "api.auth.jwks-url",
                "api.auth.jwks-refresh-interval", "api.auth.jwks-min-refetch-interval", "api.auth.jwks-timeout",
                "api.auth.issuer", "api.auth.audience", "api.auth.clock-skew");
    }
}
