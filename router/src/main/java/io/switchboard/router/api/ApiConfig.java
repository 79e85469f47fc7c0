package io.switchboard.router.api;

import io.switchboard.auth.KeySetSettings;
import io.switchboard.service.config.Settings;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The public SwitchboardApi's configuration ({@code router.api.*}, defined in {@link ApiKeys}). Immutable, hence
 * thread-safe.
 *
 * @param enabled         serve SwitchboardApi on the router's gRPC port
 * @param defaultDeadline deadline of internal calls when the caller set none
 * @param streamWindow    unacknowledged publishes per PublishStream
 * @param ratePerSecond   messages per second per service subject
 * @param keySet          where service token keys come from; present when a key source is set
 * @param issuer          required {@code iss}, when set
 * @param audience        required {@code aud} value, when set
 * @param clockSkew       tolerance on exp / nbf
 */
public record ApiConfig(boolean enabled, Duration defaultDeadline, int streamWindow, int ratePerSecond,
                        Optional<KeySetSettings> keySet, Optional<String> issuer, Optional<String> audience,
                        Duration clockSkew) {
    public ApiConfig {
        Objects.requireNonNull(defaultDeadline, "defaultDeadline");
        Objects.requireNonNull(keySet, "keySet");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(clockSkew, "clockSkew");
    }

    /**
     * The {@code router.api.*} values of {@code s}, reading the PEM file now.
     *
     * @throws IllegalArgumentException naming the key when a key source is not usable
     */
    public static ApiConfig from(Settings s) {
        Optional<KeySetSettings> keySet = ApiKeys.AUTH.hasKey(s)
                ? Optional.of(new KeySetSettings(ApiKeys.AUTH.prefix(), s.find(ApiKeys.AUTH.hs256Secret),
                ApiKeys.AUTH.publicKeyPem(s), s.find(ApiKeys.AUTH.jwksFile), s.find(ApiKeys.AUTH.jwksUrl),
                s.get(ApiKeys.AUTH.jwksRefreshInterval), s.get(ApiKeys.AUTH.jwksMinRefetchInterval),
                s.get(ApiKeys.AUTH.jwksTimeout)))
                : Optional.empty();
        return new ApiConfig(s.get(ApiKeys.ENABLED), s.get(ApiKeys.DEFAULT_DEADLINE), s.get(ApiKeys.STREAM_WINDOW),
                s.get(ApiKeys.RATE_PER_SECOND), keySet, s.find(ApiKeys.AUTH.issuer), s.find(ApiKeys.AUTH.audience),
                s.get(ApiKeys.AUTH.clockSkew));
    }
}
