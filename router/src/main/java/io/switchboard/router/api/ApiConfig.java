package io.switchboard.router.api;

import static io.switchboard.service.ConfigValues.bool;
import static io.switchboard.service.ConfigValues.duration;
import static io.switchboard.service.ConfigValues.integer;
import static io.switchboard.service.ConfigValues.leaves;
import static io.switchboard.service.ConfigValues.string;

import io.helidon.config.Config;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Configuration of the public SwitchboardApi ({@code router.api.*}): immutable and validated when constructed,
 * with error messages that name the key ({@code "router.api.stream-window: 0 (expected: 1-65536)"}).
 * Immutable, hence thread-safe.
 *
 * @param enabled            {@code router.api.enabled}: serve SwitchboardApi on the router's gRPC port
 * @param defaultDeadline    {@code router.api.default-deadline}: deadline of internal calls when the caller set none
 * @param streamWindow       {@code router.api.stream-window}: unacknowledged publishes per PublishStream
 * @param ratePerSecond      {@code router.api.rate-limit.per-second}: messages per second per service subject
 * @param hs256Secret        {@code router.api.auth.hs256-secret}: HMAC secret of HS256 service tokens
 * @param rs256PublicKeyFile {@code router.api.auth.rs256-public-key-file}: PEM public key of RS256 service tokens
 * @param clockSkew          {@code router.api.auth.clock-skew}: tolerance on exp / nbf
 */
public record ApiConfig(boolean enabled, Duration defaultDeadline, int streamWindow, int ratePerSecond,
                        Optional<String> hs256Secret, Optional<Path> rs256PublicKeyFile, Duration clockSkew) {
    /** Every key under {@code router} that this record reads; the router's unknown-key check should accept them. */
    public static final Set<String> KEYS = Set.of("api.enabled", "api.default-deadline", "api.stream-window",
            "api.rate-limit.per-second", "api.auth.hs256-secret", "api.auth.rs256-public-key-file",
            "api.auth.clock-skew");

    static final int MAX_STREAM_WINDOW = 65_536;
    /** HS256 needs a 256-bit key (RFC 7518 3.2); nimbus refuses shorter ones. */
    static final int MIN_HS256_SECRET_BYTES = 32;
    private static final System.Logger LOG = System.getLogger(ApiConfig.class.getName());

    public ApiConfig {
        Objects.requireNonNull(defaultDeadline, "router.api.default-deadline");
        Objects.requireNonNull(hs256Secret, "router.api.auth.hs256-secret");
        Objects.requireNonNull(rs256PublicKeyFile, "router.api.auth.rs256-public-key-file");
        Objects.requireNonNull(clockSkew, "router.api.auth.clock-skew");
        check(defaultDeadline.isPositive(), "router.api.default-deadline", defaultDeadline, "> PT0S");
        check(streamWindow >= 1 && streamWindow <= MAX_STREAM_WINDOW, "router.api.stream-window", streamWindow,
                "1-" + MAX_STREAM_WINDOW);
        check(ratePerSecond > 0, "router.api.rate-limit.per-second", ratePerSecond, "> 0");
        check(!clockSkew.isNegative() && clockSkew.compareTo(Duration.ofMinutes(10)) <= 0,
                "router.api.auth.clock-skew", clockSkew, "PT0S-PT10M");
        hs256Secret.ifPresent(secret -> check(secret.getBytes(StandardCharsets.UTF_8).length >= MIN_HS256_SECRET_BYTES,
                "router.api.auth.hs256-secret", "<" + secret.length() + " characters>",
                ">= " + MIN_HS256_SECRET_BYTES + " bytes"));
        if (enabled) {
            check(hs256Secret.isPresent() || rs256PublicKeyFile.isPresent(), "router.api.auth", "no key",
                    "router.api.auth.hs256-secret and/or router.api.auth.rs256-public-key-file when"
                            + " router.api.enabled=true");
            rs256PublicKeyFile.ifPresent(file -> check(Files.isReadable(file),
                    "router.api.auth.rs256-public-key-file", file, "a readable PEM file"));
        }
    }

    /** Every value at its default: disabled, PT10S, 256, 5000/s, no keys, PT30S skew. */
    public static ApiConfig defaults() {
        return new ApiConfig(false, Duration.ofSeconds(10), 256, 5_000, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(30));
    }

    /**
     * Reads {@code api.*} under the {@code router} node; absent keys keep their defaults. Unknown keys under
     * {@code router.api} are logged as warnings.
     *
     * @throws IllegalArgumentException naming the key when a value is malformed, out of range or missing
     */
    public static ApiConfig from(Config routerNode) {
        Config api = routerNode.get("api");
        leaves(api).keySet().stream()
                .filter(key -> !KEYS.contains("api." + key))
                .sorted()
                .forEach(key -> LOG.log(Level.WARNING, "unknown config key router.api." + key + " (ignored)"));
        ApiConfig d = defaults();
        return new ApiConfig(
                bool(api, "enabled").orElse(d.enabled()),
                duration(api, "default-deadline").orElse(d.defaultDeadline()),
                integer(api, "stream-window").orElse(d.streamWindow()),
                integer(api, "rate-limit.per-second").orElse(d.ratePerSecond()),
                string(api, "auth.hs256-secret").filter(s -> !s.isEmpty()),
                string(api, "auth.rs256-public-key-file").filter(s -> !s.isBlank()).map(s -> Path.of(s.strip())),
                duration(api, "auth.clock-skew").orElse(d.clockSkew()));
    }

    /** A copy with {@code enabled} and the HS256 secret set: the usual programmatic setup. */
    public ApiConfig withHs256Secret(String secret) {
        return new ApiConfig(true, defaultDeadline, streamWindow, ratePerSecond, Optional.of(secret),
                rs256PublicKeyFile, clockSkew);
    }

    /** A copy with {@code enabled} and the RS256 public key file set. */
    public ApiConfig withRs256PublicKeyFile(Path file) {
        return new ApiConfig(true, defaultDeadline, streamWindow, ratePerSecond, hs256Secret, Optional.of(file),
                clockSkew);
    }

    /** A copy with another default deadline. */
    public ApiConfig withDefaultDeadline(Duration deadline) {
        return new ApiConfig(enabled, deadline, streamWindow, ratePerSecond, hs256Secret, rs256PublicKeyFile,
                clockSkew);
    }

    /** A copy with another stream window. */
    public ApiConfig withStreamWindow(int window) {
        return new ApiConfig(enabled, defaultDeadline, window, ratePerSecond, hs256Secret, rs256PublicKeyFile,
                clockSkew);
    }

    /** A copy with another rate limit. */
    public ApiConfig withRatePerSecond(int perSecond) {
        return new ApiConfig(enabled, defaultDeadline, streamWindow, perSecond, hs256Secret, rs256PublicKeyFile,
                clockSkew);
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "ApiConfig{enabled=" + enabled + ", defaultDeadline=" + defaultDeadline + ", streamWindow="
                + streamWindow + ", ratePerSecond=" + ratePerSecond + ", hs256Secret="
                + (hs256Secret.isPresent() ? "<set>" : "<unset>") + ", rs256PublicKeyFile="
                + rs256PublicKeyFile.map(Path::toString).orElse("<unset>") + ", clockSkew=" + clockSkew + "}";
    }

    private static void check(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: " + expected + ")");
        }
    }
}
