package io.switchboard.gateway.authz;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import com.github.benmanes.caffeine.cache.Ticker;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.auth.capability.Capabilities;
import io.switchboard.auth.capability.NamespacePolicy;
import io.switchboard.auth.capability.RoomAccess;
import io.switchboard.auth.capability.Verb;
import io.switchboard.gateway.grpc.BackendChannel;
import io.switchboard.proto.api.v1.AuthorizerGrpc;

/**
 * May this connection do this verb in this room? The token's capabilities and the namespace policies decide
 * without I/O; a namespace that asks the backend gets the {@link BackendAuthorizer}'s answer, and when the backend
 * cannot answer, the namespace's fail-open rule (default: deny). Every verdict is counted. Thread-safe.
 */
public final class RoomAuthorizer implements AutoCloseable {
    private final RoomAccess access;
    private final Optional<BackendAuthorizer> backend;
    private final Optional<BackendChannel> channel;
    private final AuthzMetrics metrics;

    RoomAuthorizer(RoomAccess access, Optional<BackendAuthorizer> backend, Optional<BackendChannel> channel,
                   AuthzMetrics metrics) {
        this.access = access;
        this.backend = backend;
        this.channel = channel;
        this.metrics = metrics;
    }

    /** The authorizer {@code config} describes, with a plaintext channel to the backend when one is configured. */
    public static RoomAuthorizer create(AuthzConfig config, String gatewayId, PrometheusRegistry registry) {
        AuthzMetrics metrics = new AuthzMetrics(registry);
        Optional<BackendChannel> channel = config.backend()
                .map(b -> new BackendChannel("authorizer", b.address(), b.timeout()));
        Optional<BackendAuthorizer> backend = config.backend().map(b -> new BackendAuthorizer(
                request -> channel.orElseThrow().unary(AuthorizerGrpc.getAuthorizeMethod(), request), b,
                BackendAuthorizer.defaultBreaker(), Ticker.systemTicker(), gatewayId, metrics));
        return new RoomAuthorizer(new RoomAccess(config.policies(), config.directDefault()), backend, channel,
                metrics);
    }

    /**
     * The verdict for {@code verb} in {@code room}; completes at once unless the backend is asked, and never
     * exceptionally.
     *
     * @param claims the connection's verified token claims (sent to the backend)
     */
    public CompletableFuture<Verdict> authorize(Capabilities capabilities, Map<String, Object> claims, String userId,
                                                String sessionId, String room, Verb verb) {
        CompletableFuture<Verdict> verdict = switch (access.decide(capabilities, room, verb)) {
            case ALLOWED_BY_TOKEN -> CompletableFuture.completedFuture(Verdict.allow(Verdict.Source.TOKEN));
            case ALLOWED_BY_POLICY -> CompletableFuture.completedFuture(Verdict.allow(Verdict.Source.POLICY));
            case DENIED -> CompletableFuture.completedFuture(Verdict.deny(Verdict.Source.NO_GRANT,
                    verb.wireName() + " in " + room + " is not granted"));
            case ASK_BACKEND -> askBackend(claims, userId, sessionId, room, verb, access.policy(room));
        };
        return verdict.thenApply(v -> {
            metrics.decision(v);
            return v;
        });
    }

    private CompletableFuture<Verdict> askBackend(Map<String, Object> claims, String userId, String sessionId,
                                                  String room, Verb verb, NamespacePolicy policy) {
        // AuthzConfig refuses a namespace that asks without a backend, so it is present here.
        return backend.orElseThrow().authorize(userId, room, verb, claims, sessionId).handle((answer, failure) -> {
            if (failure != null) {
                return policy.failOpen() ? Verdict.allow(Verdict.Source.BACKEND_UNAVAILABLE)
                        : Verdict.deny(Verdict.Source.BACKEND_UNAVAILABLE, verb.wireName() + " in " + room
                                + ": authorization backend unavailable");
            }
            return answer.allow() ? Verdict.allow(Verdict.Source.BACKEND)
                    : Verdict.deny(Verdict.Source.BACKEND, answer.reason().isEmpty()
                            ? verb.wireName() + " in " + room + " is denied" : answer.reason());
        });
    }

    /** Whether a connection with {@code capabilities} may send a direct message to {@code userId}. */
    public boolean mayMessage(Capabilities capabilities, String userId) {
        return access.mayMessage(capabilities, userId);
    }

    /** Closes the backend channel (bounded) and removes the metrics. */
    @Override
    public void close() {
        channel.ifPresent(c -> c.close(Duration.ofSeconds(5)));
        metrics.close();
    }
}
