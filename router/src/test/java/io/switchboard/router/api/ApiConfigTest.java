package io.switchboard.router.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.switchboard.router.RouterConfig;
import io.switchboard.router.RouterKeys;
import io.switchboard.testkit.TestTokens;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiConfigTest {
    private static ApiConfig read(Map<String, String> values) {
        return RouterConfig.from(Config.just(ConfigSources.create(values))).api();
    }

    @Test
    void defaultsAreDisabledAndNeedNoKey() {
        ApiConfig config = read(Map.of("router.id", "r1"));
        assertThat(config.enabled()).isFalse();
        assertThat(config.keySet()).isEmpty();
        assertThat(config.defaultDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.streamWindow()).isEqualTo(256);
        assertThat(config.ratePerSecond()).isEqualTo(5000);
        assertThat(config.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsEveryKey(@TempDir Path dir) throws Exception {
        String publicKey = TestTokens.rs256().publicKeyPem();
        Path pem = Files.writeString(dir.resolve("key.pem"), publicKey);
        ApiConfig config = read(Map.ofEntries(
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
                Map.entry("router.api.auth.clock-skew", "PT5S")));
        assertThat(config.enabled()).isTrue();
        assertThat(config.defaultDeadline()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.streamWindow()).isEqualTo(64);
        assertThat(config.ratePerSecond()).isEqualTo(100);
        assertThat(config.issuer()).contains("https://auth.example");
        assertThat(config.audience()).contains("switchboard-api");
        assertThat(config.clockSkew()).isEqualTo(Duration.ofSeconds(5));
        var keys = config.keySet().orElseThrow();
        assertThat(keys.prefix()).isEqualTo("router.api.auth");
        assertThat(keys.hs256Secret()).contains(Tokens.SECRET);
        assertThat(keys.publicKeyPem()).contains(publicKey);
        assertThat(keys.jwksFile()).contains(Path.of("/etc/switchboard/jwks.json"));
        assertThat(keys.jwksUrl()).contains(URI.create("https://auth.example/jwks.json"));
        assertThat(keys.refreshInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(keys.minRefetchInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(keys.fetchTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.toString()).doesNotContain(Tokens.SECRET);
    }

    @Test
    void enabledWithoutAKeyIsRefused() {
        assertThatThrownBy(() -> read(Map.of("router.api.enabled", "true")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("router.api.auth: no key (expected: hs256-secret, rs256-public-key or"
                        + " rs256-public-key-file, jwks-file and/or jwks-url when router.api.enabled=true");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> read(Map.of("router.api.stream-window", "0")))
                .hasMessage("router.api.stream-window: 0 (expected: 1-65536)");
        assertThatThrownBy(() -> read(Map.of("router.api.rate-limit.per-second", "-1")))
                .hasMessage("router.api.rate-limit.per-second: -1 (expected: > 0)");
        assertThatThrownBy(() -> read(Map.of("router.api.default-deadline", "10s")))
                .hasMessageContaining("router.api.default-deadline: '10s'");
        assertThatThrownBy(() -> read(Map.of("router.api.auth.hs256-secret", "short")))
                .hasMessage("router.api.auth.hs256-secret: 5 bytes (expected: >= 32 bytes)");
        assertThatThrownBy(() -> read(Map.of("router.api.enabled", "true",
                "router.api.auth.rs256-public-key-file", "/nonexistent/key.pem")))
                .hasMessage("router.api.auth.rs256-public-key-file: /nonexistent/key.pem (expected: a readable PEM"
                        + " file)");
    }

    @Test
    void everyKeyIsInTheRoutersCatalogue() {
        assertThat(ApiKeys.SECTION.keys()).extracting(k -> k.name()).containsExactly("router.api.enabled",
                "router.api.default-deadline", "router.api.stream-window", "router.api.rate-limit.per-second",
                "router.api.auth.hs256-secret", "router.api.auth.rs256-public-key",
                "router.api.auth.rs256-public-key-file", "router.api.auth.jwks-file", "router.api.auth.jwks-url",
                "router.api.auth.jwks-refresh-interval", "router.api.auth.jwks-min-refetch-interval",
                "router.api.auth.jwks-timeout", "router.api.auth.issuer", "router.api.auth.audience",
                "router.api.auth.clock-skew");
        ApiKeys.SECTION.keys().forEach(key -> assertThat(RouterKeys.CATALOGUE.contains(key)).isTrue());
        assertThat(Optional.of(RouterKeys.CATALOGUE.knows("router.api.auth.jwks-url"))).contains(true);
    }
}
