package io.switchboard.router.api;

import static io.switchboard.service.ConfigValues.duration;
import static io.switchboard.service.ConfigValues.string;

import io.helidon.config.Config;
import io.switchboard.auth.KeySetSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How service tokens are verified ({@code router.api.auth.*}): where the keys come from and the claim rules.
 * Immutable, validated when constructed; messages name the key.
 *
 * @param hs256Secret            {@code router.api.auth.hs256-secret}: HMAC secret of HS256 service tokens
 * @param rs256PublicKeyFile     {@code router.api.auth.rs256-public-key-file}: PEM public key, read at startup
 * @param jwksFile               {@code router.api.auth.jwks-file}: a JWK Set file, re-read in the background
 * @param jwksUrl                {@code router.api.auth.jwks-url}: a JWKS URL, fetched in the background
 * @param jwksRefreshInterval    {@code router.api.auth.jwks-refresh-interval}
 * @param jwksMinRefetchInterval {@code router.api.auth.jwks-min-refetch-interval}
 * @param jwksTimeout            {@code router.api.auth.jwks-timeout}
 * @param issuer                 {@code router.api.auth.issuer}: required {@code iss}, when set
 * @param audience               {@code router.api.auth.audience}: required {@code aud} value, when set
 * @param clockSkew              {@code router.api.auth.clock-skew}: tolerance on exp / nbf
 */
public record ApiAuthConfig(Optional<String> hs256Secret, Optional<Path> rs256PublicKeyFile, Optional<Path> jwksFile,
                            Optional<URI> jwksUrl, Duration jwksRefreshInterval, Duration jwksMinRefetchInterval,
                            Duration jwksTimeout, Optional<String> issuer, Optional<String> audience,
                            Duration clockSkew) {
    /** Keys under {@code router.api} this record reads. */
    static final Set<String> KEYS = Set.of("auth.hs256-secret", "auth.rs256-public-key-file", "auth.jwks-file",
            "auth.jwks-url", "auth.jwks-refresh-interval", "auth.jwks-min-refetch-interval", "auth.jwks-timeout",
            "auth.issuer", "auth.audience", "auth.clock-skew");
    private static final String PREFIX = "router.api.auth";

    public ApiAuthConfig {
        Objects.requireNonNull(hs256Secret, PREFIX + ".hs256-secret");
        Objects.requireNonNull(rs256PublicKeyFile, PREFIX + ".rs256-public-key-file");
        Objects.requireNonNull(jwksFile, PREFIX + ".jwks-file");
        Objects.requireNonNull(jwksUrl, PREFIX + ".jwks-url");
        Objects.requireNonNull(issuer, PREFIX + ".issuer");
        Objects.requireNonNull(audience, PREFIX + ".audience");
        Objects.requireNonNull(clockSkew, PREFIX + ".clock-skew");
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException(PREFIX + ".clock-skew: " + clockSkew + " (expected: PT0S-PT10M)");
        }
        hs256Secret.ifPresent(secret -> {
            if (secret.getBytes(StandardCharsets.UTF_8).length < ApiConfig.MIN_HS256_SECRET_BYTES) {
                throw new IllegalArgumentException(PREFIX + ".hs256-secret: <" + secret.length() + " characters>"
                        + " (expected: >= " + ApiConfig.MIN_HS256_SECRET_BYTES + " bytes)");
            }
        });
    }

    /** No keys, the default intervals, no issuer or audience, PT30S skew. */
    public static ApiAuthConfig defaults() {
        return new ApiAuthConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                KeySetSettings.DEFAULT_REFRESH_INTERVAL, KeySetSettings.DEFAULT_MIN_REFETCH_INTERVAL,
                KeySetSettings.DEFAULT_FETCH_TIMEOUT, Optional.empty(), Optional.empty(), Duration.ofSeconds(30));
    }

    /** Reads {@code auth.*} under {@code router.api}; absent keys keep their defaults. */
    static ApiAuthConfig from(Config api) {
        ApiAuthConfig d = defaults();
        return new ApiAuthConfig(
                string(api, "auth.hs256-secret").filter(s -> !s.isEmpty()),
                path(api, "auth.rs256-public-key-file"),
                path(api, "auth.jwks-file"),
                string(api, "auth.jwks-url").filter(s -> !s.isBlank()).map(ApiAuthConfig::uri),
                duration(api, "auth.jwks-refresh-interval").orElse(d.jwksRefreshInterval()),
                duration(api, "auth.jwks-min-refetch-interval").orElse(d.jwksMinRefetchInterval()),
                duration(api, "auth.jwks-timeout").orElse(d.jwksTimeout()),
                string(api, "auth.issuer").filter(s -> !s.isBlank()),
                string(api, "auth.audience").filter(s -> !s.isBlank()),
                duration(api, "auth.clock-skew").orElse(d.clockSkew()));
    }

    private static Optional<Path> path(Config api, String key) {
        return string(api, key).filter(s -> !s.isBlank()).map(s -> Path.of(s.strip()));
    }

    private static URI uri(String value) {
        try {
            return new URI(value.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(PREFIX + ".jwks-url: '" + value + "' (expected: a URL)", e);
        }
    }

    /** Whether any key source is set. */
    boolean hasKey() {
        return hs256Secret.isPresent() || rs256PublicKeyFile.isPresent() || jwksFile.isPresent() || jwksUrl.isPresent();
    }

    /**
     * The key set settings, reading the PEM file now.
     *
     * @throws IllegalArgumentException naming the key when no key is set or a value is invalid
     * @throws UncheckedIOException     when the PEM file cannot be read
     */
    KeySetSettings keySet() {
        Optional<String> pem = rs256PublicKeyFile.map(file -> {
            try {
                return Files.readString(file, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException(PREFIX + ".rs256-public-key-file: " + file + " (expected: a readable"
                        + " PEM file)", e);
            }
        });
        return new KeySetSettings(PREFIX, hs256Secret, pem, jwksFile, jwksUrl, jwksRefreshInterval,
                jwksMinRefetchInterval, jwksTimeout);
    }

    /** A copy with the HS256 secret set. */
    public ApiAuthConfig withHs256Secret(String secret) {
        return new ApiAuthConfig(Optional.of(secret), rs256PublicKeyFile, jwksFile, jwksUrl, jwksRefreshInterval,
                jwksMinRefetchInterval, jwksTimeout, issuer, audience, clockSkew);
    }

    /** A copy with the RS256 public key file set. */
    public ApiAuthConfig withRs256PublicKeyFile(Path file) {
        return new ApiAuthConfig(hs256Secret, Optional.of(file), jwksFile, jwksUrl, jwksRefreshInterval,
                jwksMinRefetchInterval, jwksTimeout, issuer, audience, clockSkew);
    }

    /** A copy with the JWKS URL set. */
    public ApiAuthConfig withJwksUrl(URI url) {
        return new ApiAuthConfig(hs256Secret, rs256PublicKeyFile, jwksFile, Optional.of(url), jwksRefreshInterval,
                jwksMinRefetchInterval, jwksTimeout, issuer, audience, clockSkew);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "ApiAuthConfig{hs256Secret=" + (hs256Secret.isPresent() ? "<set>" : "<unset>")
                + ", rs256PublicKeyFile=" + rs256PublicKeyFile.map(Path::toString).orElse("<unset>")
                + ", jwksFile=" + jwksFile.map(Path::toString).orElse("<unset>")
                + ", jwksUrl=" + jwksUrl.map(URI::toString).orElse("<unset>")
                + ", jwksRefreshInterval=" + jwksRefreshInterval + ", jwksMinRefetchInterval="
                + jwksMinRefetchInterval + ", jwksTimeout=" + jwksTimeout + ", issuer=" + issuer.orElse("<unset>")
                + ", audience=" + audience.orElse("<unset>") + ", clockSkew=" + clockSkew + "}";
    }
}
