package io.switchboard.gateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

/**
 * The circuit breaker kept per router ({@code gateway.router-breaker.*}): a count-based sliding window of the
 * last {@code slidingWindow} calls opens the breaker when at least {@code minimumCalls} were recorded and
 * {@code failureRateThreshold} percent of them failed (UNAVAILABLE or DEADLINE_EXCEEDED only, see
 * {@link FailurePolicy}); after {@code waitInOpen} it lets {@code halfOpenCalls} trial calls through. Immutable.
 *
 * @param failureRateThreshold percent of failed calls that opens the breaker (1-100)
 * @param slidingWindow        calls in the count-based window (>= 1)
 * @param minimumCalls         calls recorded before the failure rate is judged (>= 1)
 * @param waitInOpen           how long an open breaker rejects calls before half-opening (> 0)
 * @param halfOpenCalls        trial calls in the half-open state (>= 1)
 */
public record BreakerSettings(float failureRateThreshold, int slidingWindow, int minimumCalls, Duration waitInOpen,
                              int halfOpenCalls) {
    /** 50 %, 20 calls, 5 minimum, PT5S open, 3 half-open calls. */
    public static final BreakerSettings DEFAULTS = new BreakerSettings(50, 20, 5, Duration.ofSeconds(5), 3);

    public BreakerSettings {
        if (!(failureRateThreshold > 0 && failureRateThreshold <= 100)) {
            throw new IllegalArgumentException("gateway.router-breaker.failure-rate-threshold: "
                    + failureRateThreshold + " (expected: > 0 and <= 100)");
        }
        if (slidingWindow < 1) {
            throw new IllegalArgumentException(
                    "gateway.router-breaker.sliding-window: " + slidingWindow + " (expected: >= 1)");
        }
        if (minimumCalls < 1) {
            throw new IllegalArgumentException(
                    "gateway.router-breaker.minimum-calls: " + minimumCalls + " (expected: >= 1)");
        }
        Objects.requireNonNull(waitInOpen, "waitInOpen");
        if (waitInOpen.isNegative() || waitInOpen.isZero()) {
            throw new IllegalArgumentException("gateway.router-breaker.wait-in-open: " + waitInOpen + " (expected: > 0)");
        }
        if (halfOpenCalls < 1) {
            throw new IllegalArgumentException(
                    "gateway.router-breaker.half-open-calls: " + halfOpenCalls + " (expected: >= 1)");
        }
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
