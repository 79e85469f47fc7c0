package io.switchboard.gateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.switchboard.gateway.GatewayKeys;
import io.switchboard.service.config.Values;

/**
 * The circuit breaker kept per router ({@code gateway.router-breaker.*}): a count-based sliding window of the
 * last {@code slidingWindow} calls opens the breaker when at least {@code minimumCalls} were recorded and
 * {@code failureRateThreshold} percent of them failed (UNAVAILABLE or DEADLINE_EXCEEDED only, see
 * {@link FailurePolicy}); after {@code waitInOpen} it lets {@code halfOpenCalls} trial calls through. The values
 * are checked by the gateway's key catalogue. Immutable.
 *
 * @param failureRateThreshold percent of failed calls that opens the breaker (1-100)
 * @param slidingWindow        calls in the count-based window (>= 1)
 * @param minimumCalls         calls recorded before the failure rate is judged (>= 1)
 * @param waitInOpen           how long an open breaker rejects calls before half-opening (> 0)
 * @param halfOpenCalls        trial calls in the half-open state (>= 1)
 */
public record BreakerSettings(float failureRateThreshold, int slidingWindow, int minimumCalls, Duration waitInOpen,
                              int halfOpenCalls) {
    /** The defaults of the {@code gateway.router-breaker.*} keys. */
    public static final BreakerSettings DEFAULTS = of(Values.DEFAULTS);

    public BreakerSettings {
        Objects.requireNonNull(waitInOpen, "waitInOpen");
    }

    /** The {@code gateway.router-breaker.*} values. */
    public static BreakerSettings of(Values v) {
        return new BreakerSettings(v.get(GatewayKeys.BREAKER_FAILURE_RATE), v.get(GatewayKeys.BREAKER_SLIDING_WINDOW),
                v.get(GatewayKeys.BREAKER_MINIMUM_CALLS), v.get(GatewayKeys.BREAKER_WAIT_IN_OPEN),
                v.get(GatewayKeys.BREAKER_HALF_OPEN_CALLS));
    }

    /** The Resilience4j configuration; {@code clock} drives the open-to-half-open wait (tests inject one). */
    CircuitBreakerConfig toConfig(Clock clock) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(slidingWindow)
                .minimumNumberOfCalls(minimumCalls)
                .failureRateThreshold(failureRateThreshold)
                .waitDurationInOpenState(waitInOpen)
                .permittedNumberOfCallsInHalfOpenState(halfOpenCalls)
                // No timer thread: the next call after the wait moves the breaker to half-open.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(FailurePolicy::countsAgainstRouter)
                .clock(clock)
                .build();
    }
}
