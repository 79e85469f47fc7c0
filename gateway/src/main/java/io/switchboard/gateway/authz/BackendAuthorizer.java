package io.switchboard.gateway.authz;

import java.time.Duration;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.switchboard.auth.capability.Verb;
import io.switchboard.proto.api.v1.AuthorizeRequest;
import io.switchboard.proto.api.v1.AuthorizeResponse;
import io.switchboard.service.Futures;

/**
 * Asks the application's backend ({@code switchboard.api.v1.Authorizer/Authorize}) whether a user may do a verb
 * in a room. Answers are cached per (user, room, verb, claims other than the time claims: {@link Principal}) for
 * the answer's TTL
 * (default and cap from the configuration) in a size-bounded Caffeine cache; concurrent asks for one key share one
 * call; failures are not cached. Each call has the configured deadline (the caller's {@code call} function sets
 * it) and passes a Resilience4j circuit breaker: while it is open, asks fail at once. A failed ask completes
 * exceptionally with {@link Unavailable}; the caller applies the namespace's fail-open rule. Thread-safe.
 */
public final class BackendAuthorizer {
    private static final int MAX_REASON_CHARS = 200;

    private final Function<AuthorizeRequest, CompletableFuture<AuthorizeResponse>> call;
    private final AsyncCache<Key, Answer> cache;
    private final CircuitBreaker breaker;
    private final AuthzMetrics metrics;
    private final AuthzConfig.Backend settings;
    private final String gatewayId;

    /** The backend's answer, as cached. */
    record Answer(boolean allow, Duration ttl, String reason) {
    }

    private record Key(String userId, String room, Verb verb, Principal.ClaimsKey claims) {
    }

    /** The backend could not answer (error, deadline, breaker open). */
    public static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    /**
     * @param call      sends one Authorize with the configured deadline (in production {@code BackendChannel::unary})
     * @param settings  TTLs and cache size
     * @param breaker   the breaker's settings (tests use a small window)
     * @param ticker    time of the cache (tests inject one)
     * @param gatewayId stamped on every request
     */
    BackendAuthorizer(Function<AuthorizeRequest, CompletableFuture<AuthorizeResponse>> call,
                      AuthzConfig.Backend settings, CircuitBreakerConfig breaker, Ticker ticker, String gatewayId,
                      AuthzMetrics metrics) {
        this.call = Objects.requireNonNull(call, "call");
        this.settings = settings;
        this.gatewayId = gatewayId;
        this.metrics = metrics;
        this.breaker = CircuitBreaker.of("authorizer", breaker);
        this.cache = Caffeine.newBuilder()
                .maximumSize(settings.cacheMaxEntries())
                .ticker(ticker)
                .expireAfter(Expiry.<Key, Answer>creating((key, answer) -> answer.ttl()))
                .buildAsync();
    }

    /** The breaker used unless a test gives another: 50 % of the last 20 calls (at least 5), PT5S open. */
    static CircuitBreakerConfig defaultBreaker() {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(5))
                .permittedNumberOfCallsInHalfOpenState(3)
                .build();
    }

    /**
     * The backend's answer for {@code who} doing {@code verb} in {@code room}, from the cache or one call. A cached
     * answer comes back as a completed future without allocating a call.
     *
     * @return completes with the answer, or exceptionally with {@link Unavailable}
     */
    public CompletableFuture<Answer> authorize(Principal who, String room, Verb verb) {
        Key key = new Key(who.userId(), room, verb, who.claimsKey());
        CompletableFuture<Answer> cached = cache.getIfPresent(key);
        return cached != null ? cached : cache.get(key, (k, executor) -> ask(k, who.claims(), who.sessionId()));
    }

    private CompletableFuture<Answer> ask(Key key, Map<String, Object> claims, String sessionId) {
        if (!breaker.tryAcquirePermission()) {
            metrics.backendCall("breaker_open", -1);
            return CompletableFuture.failedFuture(new Unavailable("authorization backend unavailable (circuit open)",
                    null));
        }
        AuthorizeRequest request = AuthorizeRequest.newBuilder()
                .setUserId(key.userId())
                .setRoom(key.room())
                .setVerb(wireVerb(key.verb()))
                .setClaims(struct(claims))
                .setGatewayId(gatewayId)
                .setSessionId(sessionId)
                .build();
        long start = System.nanoTime();
        return Futures.started(() -> call.apply(request)).handle((r, failure) -> {
            long nanos = System.nanoTime() - start;
            if (failure != null) {
                breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
                metrics.backendCall("error", nanos);
                throw new Unavailable("authorization backend unavailable", failure);
            }
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            metrics.backendCall(r.getAllow() ? "allow" : "deny", nanos);
            return new Answer(r.getAllow(), ttl(r), reason(r));
        });
    }

    private static io.switchboard.proto.api.v1.Verb wireVerb(Verb verb) {
        return switch (verb) {
            case SUBSCRIBE -> io.switchboard.proto.api.v1.Verb.VERB_SUBSCRIBE;
            case PUBLISH -> io.switchboard.proto.api.v1.Verb.VERB_PUBLISH;
            case HISTORY -> io.switchboard.proto.api.v1.Verb.VERB_HISTORY;
            case PRESENCE -> io.switchboard.proto.api.v1.Verb.VERB_PRESENCE;
            case EPHEMERAL -> io.switchboard.proto.api.v1.Verb.VERB_EPHEMERAL;
        };
    }

    private Duration ttl(AuthorizeResponse r) {
        if (!r.hasTtl() || (r.getTtl().getSeconds() <= 0 && r.getTtl().getNanos() <= 0)) {
            return settings.defaultTtl();
        }
        Duration ttl = Duration.ofSeconds(r.getTtl().getSeconds(), r.getTtl().getNanos());
        return ttl.compareTo(settings.maxTtl()) > 0 ? settings.maxTtl() : ttl;
    }

    private static String reason(AuthorizeResponse r) {
        String reason = r.getReason().strip();
        return reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
    }

    /** The claims as a protobuf Struct (through their JSON form; dates as epoch seconds). */
    static Struct struct(Map<String, Object> claims) {
        Map<String, Object> json = new LinkedHashMap<>();
        claims.forEach((name, value) -> json.put(name, value instanceof Date d ? d.getTime() / 1000 : value));
        Struct.Builder b = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(JSONObjectUtils.toJSONString(json), b);
        } catch (InvalidProtocolBufferException e) {
            throw new CompletionException(e);
        }
        return b.build();
    }

    /** Whether the breaker currently refuses calls (for tests and health). */
    boolean breakerOpen() {
        return breaker.getState() == CircuitBreaker.State.OPEN;
    }
}
