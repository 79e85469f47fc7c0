package io.switchboard.router.api;

import static io.switchboard.service.config.ValueType.BOOLEAN;
import static io.switchboard.service.config.ValueType.DURATION;
import static io.switchboard.service.config.ValueType.INT;

import io.switchboard.service.TokenKeys;
import io.switchboard.service.config.Check;
import io.switchboard.service.config.Key;
import io.switchboard.service.config.KeySection;
import java.time.Duration;

/**
 * The keys of the public SwitchboardApi ({@code router.api.*}), defined once; part of the router's catalogue.
 * Stateless, hence thread-safe.
 */
public final class ApiKeys {
    private static final KeySection.Builder S = KeySection.builder("Public API (`router.api.*`)");

    public static final Key<Boolean> ENABLED = S.define("router.api.enabled", BOOLEAN).byDefault(false)
            .doc("Serve the public SwitchboardApi on `router.grpc.port`. Requires at least one of the key sources"
                    + " below (startup error otherwise).");
    public static final Key<Duration> DEFAULT_DEADLINE = S.define("router.api.default-deadline", DURATION)
            .byDefault(Duration.ofSeconds(10)).check(Check.positive())
            .doc("Deadline of each internal call made for an API call that carries no deadline of its own.");
    public static final Key<Integer> STREAM_WINDOW = S.define("router.api.stream-window", INT)
            .byDefault(256).check(Check.between(1, 65_536))
            .doc("Messages a PublishStream may have without a result; the server reads no further ahead.");
    public static final Key<Integer> RATE_PER_SECOND = S.define("router.api.rate-limit.per-second", INT)
            .byDefault(5000).check(Check.positiveNumber())
            .doc("Messages per second per service (token `sub`), per router; beyond it `RESOURCE_EXHAUSTED` with"
                    + " `RetryInfo`. A PublishMany counts one per room (so one with more rooms than this never"
                    + " fits).");
    /** {@code router.api.auth.*}: how service tokens are verified. */
    public static final TokenKeys AUTH = TokenKeys.define(S, "router.api.auth", "service tokens",
            "calls that need its keys answer `UNAVAILABLE`");

    public static final KeySection SECTION = S
            .rule(AUTH.requireKey(s -> s.get(ENABLED), " when router.api.enabled=true"))
            .build();

    private ApiKeys() {
    }
}
