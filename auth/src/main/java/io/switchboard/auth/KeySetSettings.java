package io.switchboard.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a {@link KeySet} takes its keys from, validated when constructed. Error messages name the tier's key
 * ({@code prefix + ".jwks-url"}), in the shape {@code "gateway.auth.jwks-url: ftp://x (expected: http or https)"}.
 * Immutable.
 *
 * @param prefix             the configuration prefix of these keys, e.g. {@code gateway.auth}
 * @param hs256Secret        {@code <prefix>.hs256-secret}: one HS256 key without {@code kid}
 * @param publicKeyPem       a PEM public key (RSA, EC P-256 or Ed25519) without {@code kid}
 * @param jwksFile           {@code <prefix>.jwks-file}: a JWK Set file, re-read in the background
 * @param jwksUrl            {@code <prefix>.jwks-url}: a JWKS URL, fetched in the background
 * @param refreshInterval    {@code <prefix>.jwks-refresh-interval}: how long a read set is used before it is read
 *                           again (ahead of time, in the background)
 * @param minRefetchInterval {@code <prefix>.jwks-min-refetch-interval}: an unknown {@code kid} re-reads the set at
 *                           most about once per interval
 * @param fetchTimeout       {@code <prefix>.jwks-timeout}: connect and read timeout of one fetch of the URL
 */
public record KeySetSettings(String prefix, Optional<String> hs256Secret, Optional<String> publicKeyPem,
                             Optional<Path> jwksFile, Optional<URI> jwksUrl, Duration refreshInterval,
                             Duration minRefetchInterval, Duration fetchTimeout) {
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_MIN_REFETCH_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(5);

    public KeySetSettings {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(hs256Secret, prefix + ".hs256-secret");
        Objects.requireNonNull(publicKeyPem, prefix + ".public-key");
        Objects.requireNonNull(jwksFile, prefix + ".jwks-file");
        Objects.requireNonNull(jwksUrl, prefix + ".jwks-url");
        Objects.requireNonNull(refreshInterval, prefix + ".jwks-refresh-interval");
        Objects.requireNonNull(minRefetchInterval, prefix + ".jwks-min-refetch-interval");
        Objects.requireNonNull(fetchTimeout, prefix + ".jwks-timeout");
        if (hs256Secret.isEmpty() && publicKeyPem.isEmpty() && jwksFile.isEmpty() && jwksUrl.isEmpty()) {
            throw new IllegalArgumentException(prefix + ": no key (expected: hs256-secret, an RS256 public key,"
                    + " jwks-file and/or jwks-url)");
        }
        check(minRefetchInterval.isPositive(), prefix + ".jwks-min-refetch-interval", minRefetchInterval, "> PT0S");
        check(fetchTimeout.isPositive() && fetchTimeout.toMillis() <= Integer.MAX_VALUE, prefix + ".jwks-timeout",
                fetchTimeout, "> PT0S");
        // nimbus' cache needs room for the refresh-ahead (a quarter of the TTL) plus one fetch within the TTL.
        check(refreshInterval.compareTo(minRefetchInterval) > 0
                        && refreshInterval.compareTo(fetchTimeout.multipliedBy(2)) > 0,
                prefix + ".jwks-refresh-interval", refreshInterval,
                "> jwks-min-refetch-interval " + minRefetchInterval + " and > twice jwks-timeout " + fetchTimeout);
        jwksUrl.ifPresent(url -> check("http".equals(url.getScheme()) || "https".equals(url.getScheme()),
                prefix + ".jwks-url", url, "an http or https URL"));
        hs256Secret.ifPresent(secret -> {
            try {
                KeyMaterial.hmacSecret(secret);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + ".hs256-secret: " + e.getMessage(), e);
            }
        });
        publicKeyPem.ifPresent(pem -> {
            try {
                KeyMaterial.publicKeyPem(pem);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + ".rs256-public-key: " + e.getMessage()
                        + " (expected: a PEM public key)", e);
            }
        });
    }

    /** Settings with only {@code prefix}, no key yet and the default intervals; add keys with the withers. */
    public static KeySetSettings of(String prefix, Optional<String> hs256Secret, Optional<String> publicKeyPem,
                                    Optional<Path> jwksFile, Optional<URI> jwksUrl) {
        return new KeySetSettings(prefix, hs256Secret, publicKeyPem, jwksFile, jwksUrl, DEFAULT_REFRESH_INTERVAL,
                DEFAULT_MIN_REFETCH_INTERVAL, DEFAULT_FETCH_TIMEOUT);
    }

    /** A copy with other intervals. */
    public KeySetSettings withIntervals(Duration refresh, Duration minRefetch, Duration timeout) {
        return new KeySetSettings(prefix, hs256Secret, publicKeyPem, jwksFile, jwksUrl, refresh, minRefetch, timeout);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "KeySetSettings{" + prefix + ", hs256Secret=" + (hs256Secret.isPresent() ? "<set>" : "<unset>")
                + ", publicKey=" + (publicKeyPem.isPresent() ? "<set>" : "<unset>") + ", jwksFile="
                + jwksFile.map(Path::toString).orElse("<unset>") + ", jwksUrl="
                + jwksUrl.map(URI::toString).orElse("<unset>") + ", refreshInterval=" + refreshInterval
                + ", minRefetchInterval=" + minRefetchInterval + ", fetchTimeout=" + fetchTimeout + "}";
    }

    private static void check(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: " + expected + ")");
        }
    }
}
