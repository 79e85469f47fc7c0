package io.switchboard.router.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Optional;

/**
 * Limits each service subject to a number of messages per period with one Resilience4j {@link RateLimiter} per
 * subject, made by a {@link RateLimiterRegistry} (never waiting: a call beyond the limit is refused at once). The
 * refusal is RESOURCE_EXHAUSTED with a {@code google.rpc.RetryInfo} detail saying when the next period starts.
 * Limiters of subjects idle for {@link #IDLE_EXPIRY} are dropped (from the registry too), and at most
 * {@link #MAX_SUBJECTS} are kept. Thread-safe.
 */
final class ApiRateLimiter {
    static final Duration IDLE_EXPIRY = Duration.ofMinutes(10);
    static final long MAX_SUBJECTS = 10_000;
    /** Never tell a client to retry sooner than this: a zero delay invites a busy loop. */
    private static final Duration MIN_RETRY_DELAY = Duration.ofMillis(10);

    private final RateLimiterConfig config;
    private final int permitsPerPeriod;
    private final RateLimiterRegistry registry;
    private final Cache<String, Limiter> limiters;

    /**
     * A subject's limiter and when its periods began: a limiter's periods start when it is made, and the public API
     * does not say when the next one starts.
     */
    private record Limiter(RateLimiter limiter, long periodsStartNanos) {
    }

    /**
     * @param permitsPerPeriod messages a subject may send per {@code period}
     * @param period           the refresh period (one second in production)
     */
    ApiRateLimiter(int permitsPerPeriod, Duration period) {
        this.permitsPerPeriod = permitsPerPeriod;
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(permitsPerPeriod)
                .limitRefreshPeriod(period)
                .timeoutDuration(Duration.ZERO)
                .build();
        this.registry = RateLimiterRegistry.of(config);
        this.limiters = Caffeine.newBuilder().expireAfterAccess(IDLE_EXPIRY).maximumSize(MAX_SUBJECTS)
                .<String, Limiter>evictionListener((subject, limiter, cause) -> registry.remove(name(subject)))
                .build();
    }

    /** A limiter of {@code perSecond} messages per second and subject. */
    static ApiRateLimiter perSecond(int perSecond) {
        return new ApiRateLimiter(perSecond, Duration.ofSeconds(1));
    }

    /**
     * Takes {@code permits} permits of {@code subject}'s budget.
     *
     * @return empty when granted, else the RESOURCE_EXHAUSTED error (with RetryInfo) to answer
     */
    Optional<StatusRuntimeException> acquire(String subject, int permits) {
        Limiter limiter = limiters.get(subject, s -> {
            RateLimiter made = registry.rateLimiter(name(s));
            // Read just after the limiter is made (its periods start in its constructor): the delay errs long.
            return new Limiter(made, System.nanoTime());
        });
        if (limiter.limiter().acquirePermission(permits)) {
            return Optional.empty();
        }
        // Time until the next period refills the budget (a request larger than one period's budget never fits).
        long period = config.getLimitRefreshPeriod().toNanos();
        long toNextPeriod = period - Math.floorMod(System.nanoTime() - limiter.periodsStartNanos(), period);
        Duration delay = Duration.ofNanos(Math.max(toNextPeriod, MIN_RETRY_DELAY.toNanos()));
        String message = "rate limit of service '" + subject + "': " + permits + " message(s) refused (expected: <= "
                + permitsPerPeriod + " per " + config.getLimitRefreshPeriod() + "); retry after " + delay;
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
                .setMessage(message)
                .addDetails(Any.pack(RetryInfo.newBuilder()
                        .setRetryDelay(com.google.protobuf.Duration.newBuilder()
                                .setSeconds(delay.getSeconds())
                                .setNanos(delay.getNano()))
                        .build()))
                .build();
        return Optional.of(StatusProto.toStatusRuntimeException(status));
    }

    private static String name(String subject) {
        return "api-" + subject;
    }
}
