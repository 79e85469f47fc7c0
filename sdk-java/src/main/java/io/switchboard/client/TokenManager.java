package io.switchboard.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Caches the current token and says when to refresh it: at 80% of its lifetime, counted from when it was
 * obtained to its "exp" (not from "iat": the client's clock and the issuer's may disagree). Not thread-safe:
 * used on the client's event loop only.
 */
final class TokenManager {
    static final double REFRESH_FRACTION = 0.8;
    private static final Pattern EXP = Pattern.compile("\"exp\"\\s*:\\s*(\\d+)");

    private final TokenProvider provider;
    private final InstantSource clock;
    private String token;
    private Instant obtainedAt;
    private Instant expiresAt; // null when the token carries no readable exp

    TokenManager(TokenProvider provider, InstantSource clock) {
        this.provider = provider;
        this.clock = clock;
    }

    /** The cached token if it is still before its refresh point, else a fresh one from the provider. */
    CompletionStage<String> current() {
        if (token != null && !refreshDue()) {
            return CompletableFuture.completedFuture(token);
        }
        return fetch();
    }

    /** Always asks the provider; the result becomes the cached token. */
    CompletionStage<String> fetch() {
        CompletionStage<String> stage;
        try {
            stage = provider.token();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (stage == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("TokenProvider.token() returned null"));
        }
        return stage.thenApply(t -> {
            if (t == null || t.isEmpty()) {
                throw new IllegalStateException("TokenProvider.token() completed with no token");
            }
            return t;
        });
    }

    /** The cached token, or null. */
    String token() {
        return token;
    }

    /** Caches {@code newToken} as obtained now. */
    void accept(String newToken) {
        token = newToken;
        obtainedAt = clock.instant();
        expiresAt = expiry(newToken).orElse(null);
    }

    /** Caches {@code candidate} unless it is the token already cached (keeps its obtained-at time). */
    void acceptIfNew(String candidate) {
        if (!candidate.equals(token)) {
            accept(candidate);
        }
    }

    /** Forgets the cached token (after 3501 TOKEN_EXPIRED), so the next {@link #current()} fetches. */
    void invalidate() {
        token = null;
        obtainedAt = null;
        expiresAt = null;
    }

    /** How long until the cached token should be refreshed; empty when it has no exp. */
    Optional<Duration> untilRefresh() {
        if (token == null || expiresAt == null) {
            return Optional.empty();
        }
        Duration lifetime = Duration.between(obtainedAt, expiresAt);
        if (lifetime.isNegative()) {
            return Optional.of(Duration.ZERO);
        }
        Instant refreshAt = obtainedAt.plusNanos((long) (lifetime.toNanos() * REFRESH_FRACTION));
        Duration remaining = Duration.between(clock.instant(), refreshAt);
        return Optional.of(remaining.isNegative() ? Duration.ZERO : remaining);
    }

    private boolean refreshDue() {
        return untilRefresh().map(Duration::isZero).orElse(false);
    }

    /** The "exp" claim of a JWT, read without verifying it (the server verifies; we only schedule). */
    static Optional<Instant> expiry(String jwt) {
        String[] parts = jwt.split("\\.", -1);
        if (parts.length < 2) {
            return Optional.empty();
        }
        String payload;
        try {
            payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Matcher m = EXP.matcher(payload);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.ofEpochSecond(Long.parseLong(m.group(1))));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            return Optional.empty();
        }
    }
}
