package io.switchboard.router.api;

import static io.switchboard.service.ConfigValues.bool;
import static io.switchboard.service.ConfigValues.duration;
import static io.switchboard.service.ConfigValues.integer;
import static io.switchboard.service.ConfigValues.leaves;

import io.helidon.config.Config;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Configuration of the public SwitchboardApi ({@code router.api.*}): immutable and validated when constructed,
 * with error messages that name the key ({@code "router.api.stream-window: 0 (expected: 1-65536)"}).
 * Immutable, hence thread-safe.
 *
 * @param enabled         {@code router.api.enabled}: serve SwitchboardApi on the router's gRPC port
 * @param defaultDeadline {@code router.api.default-deadline}: deadline of internal calls when the caller set none
 * @param streamWindow    {@code router.api.stream-window}: unacknowledged publishes per PublishStream
 * @param ratePerSecond   {@code router.api.rate-limit.per-second}: messages per second per service subject
 * @param auth            {@code router.api.auth.*}: how service tokens are verified
 */
public record ApiConfig(boolean enabled, Duration defaultDeadline, int streamWindow, int ratePerSecond,
                        ApiAuthConfig auth) {
    /** Every key under {@code router} that this record reads; the router's unknown-key check should accept them. */
    public static final Set<String> KEYS = Stream.concat(
            Stream.of("api.enabled", "api.default-deadline", "api.stream-window", "api.rate-limit.per-second"),
            ApiAuthConfig.KEYS.stream().map(key -> "api." + key)).collect(Collectors.toUnmodifiableSet());

    static final int MAX_STREAM_WINDOW = 65_536;
    /** HS256 needs a 256-bit key (RFC 7518 3.2); nimbus refuses shorter ones. */
    static final int MIN_HS256_SECRET_BYTES = 32;
    private static final System.Logger LOG = System.getLogger(ApiConfig.class.getName());

    public ApiConfig {
        Objects.requireNonNull(defaultDeadline, "router.api.default-deadline");
        Objects.requireNonNull(auth, "router.api.auth");
        check(defaultDeadline.isPositive(), "router.api.default-deadline", defaultDeadline, "> PT0S");
        check(streamWindow >= 1 && streamWindow <= MAX_STREAM_WINDOW, "router.api.stream-window", streamWindow,
                "1-" + MAX_STREAM_WINDOW);
        check(ratePerSecond > 0, "router.api.rate-limit.per-second", ratePerSecond, "> 0");
        if (enabled) {
            check(auth.hasKey(), "router.api.auth", "no key", "router.api.auth.hs256-secret,"
                    + " rs256-public-key-file, jwks-file and/or jwks-url when router.api.enabled=true");
            auth.rs256PublicKeyFile().ifPresent(file -> check(Files.isReadable(file),
                    "router.api.auth.rs256-public-key-file", file, "a readable PEM file"));
        }
    }

    /** Every value at its default: disabled, PT10S, 256, 5000/s, no keys, PT30S skew. */
    public static ApiConfig defaults() {
        return new ApiConfig(false, Duration.ofSeconds(10), 256, 5_000, ApiAuthConfig.defaults());
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
                ApiAuthConfig.from(api));
    }

    /** A copy with {@code enabled} and the HS256 secret set: the usual programmatic setup. */
    public ApiConfig withHs256Secret(String secret) {
        return new ApiConfig(true, defaultDeadline, streamWindow, ratePerSecond, auth.withHs256Secret(secret));
    }

    /** A copy with {@code enabled} and the RS256 public key file set. */
    public ApiConfig withRs256PublicKeyFile(Path file) {
        return new ApiConfig(true, defaultDeadline, streamWindow, ratePerSecond, auth.withRs256PublicKeyFile(file));
    }

    /** A copy with {@code enabled} and other token settings. */
    public ApiConfig withAuth(ApiAuthConfig auth) {
        return new ApiConfig(true, defaultDeadline, streamWindow, ratePerSecond, auth);
    }

    /** A copy with another default deadline. */
    public ApiConfig withDefaultDeadline(Duration deadline) {
        return new ApiConfig(enabled, deadline, streamWindow, ratePerSecond, auth);
    }

    /** A copy with another stream window. */
    public ApiConfig withStreamWindow(int window) {
        return new ApiConfig(enabled, defaultDeadline, window, ratePerSecond, auth);
    }

    /** A copy with another rate limit. */
    public ApiConfig withRatePerSecond(int perSecond) {
        return new ApiConfig(enabled, defaultDeadline, streamWindow, perSecond, auth);
    }

    private static void check(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(key + ": " + value + " (expected: " + expected + ")");
        }
    }
}
