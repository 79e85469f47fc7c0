package io.switchboard.gateway.authz;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.auth.capability.NamespacePolicy;
import io.switchboard.auth.capability.RoomAccess;
import io.switchboard.auth.capability.Verb;
import io.switchboard.gateway.grpc.BackendChannel;
import io.switchboard.proto.Inboxes;
import io.switchboard.proto.api.v1.AuthorizerGrpc;

/**
 * May this connection do this verb in this room? In an inbox ({@link Inboxes}) only its user may subscribe and read
 * history, and nobody may do anything else. Elsewhere the token's capabilities and the namespace policies decide
 * without I/O; a namespace that asks the backend gets the {@link BackendAuthorizer}'s answer (a cached one at
 * once), and when the backend cannot answer, the namespace's fail-open rule (default: deny). Every verdict is
 * counted. A refusal's reason names the verb and the room. Thread-safe.
 */
public final class RoomAuthorizer implements AutoCloseable {
    private static final CompletableFuture<Verdict> BY_TOKEN = CompletableFuture.completedFuture(Verdict.ALLOWED_BY_TOKEN);
    private static final CompletableFuture<Verdict> BY_POLICY =
            CompletableFuture.completedFuture(Verdict.ALLOWED_BY_POLICY);

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
                // The application's backend, not a tier: plaintext, outside the tiers' TLS settings.
                .map(b -> new BackendChannel("authorizer", b.address(),
                        Grpc.newChannelBuilder(b.address(), InsecureChannelCredentials.create()), b.timeout()));
        Optional<BackendAuthorizer> backend = config.backend().map(b -> new BackendAuthorizer(
                request -> channel.orElseThrow().unary(AuthorizerGrpc.getAuthorizeMethod(), request), b,
                BackendAuthorizer.defaultBreaker(), Ticker.systemTicker(), gatewayId, metrics));
        return new RoomAuthorizer(new RoomAccess(config.policies(), config.directDefault()), backend, channel,
                metrics);
    }

    /**
     * The verdict for {@code verb} in {@code room}. Completed at once unless the backend must be called (token
     * grants, policies and cached backend answers allocate no future of their own); never completes exceptionally.
     */
    public CompletableFuture<Verdict> authorize(Principal who, String room, Verb verb) {
        if (Inboxes.isInbox(room)) {
            // Decided here, whatever the token, policies or backend say: an inbox holds one user's direct messages.
            return CompletableFuture.completedFuture(count(inbox(who, room, verb)));
        }
        return switch (access.decide(who.capabilities(), room, verb)) {
            case ALLOWED_BY_TOKEN -> counted(BY_TOKEN, Verdict.ALLOWED_BY_TOKEN);
            case ALLOWED_BY_POLICY -> counted(BY_POLICY, Verdict.ALLOWED_BY_POLICY);
            case DENIED -> CompletableFuture.completedFuture(count(Verdict.deny(Verdict.Source.NO_GRANT,
                    verb.wireName() + " in " + room + ": not granted")));
            case ASK_BACKEND -> askBackend(who, room, verb, access.policy(room));
        };
    }

    private CompletableFuture<Verdict> askBackend(Principal who, String room, Verb verb, NamespacePolicy policy) {
        // AuthzConfig refuses a namespace that asks without a backend, so it is present here.
        CompletableFuture<BackendAuthorizer.Answer> answer = backend.orElseThrow().authorize(who, room, verb);
        if (answer.isDone()) {
            // A cached answer (or a failure already known): decide on this thread, without a dependent future.
            BackendAuthorizer.Answer a = answer.state() == Future.State.SUCCESS ? answer.resultNow() : null;
            return CompletableFuture.completedFuture(count(a == null ? unavailable(room, verb, policy)
                    : verdict(a, room, verb)));
        }
        return answer.handle((a, failure) -> count(failure != null ? unavailable(room, verb, policy)
                : verdict(a, room, verb)));
    }

    private static Verdict verdict(BackendAuthorizer.Answer a, String room, Verb verb) {
        return a.allow() ? Verdict.ALLOWED_BY_BACKEND : Verdict.deny(Verdict.Source.BACKEND, verb.wireName() + " in "
                + room + ": " + (a.reason().isEmpty() ? "denied by the application" : a.reason()));
    }

    private static Verdict unavailable(String room, Verb verb, NamespacePolicy policy) {
        return policy.failOpen() ? Verdict.ALLOWED_FAIL_OPEN : Verdict.deny(Verdict.Source.BACKEND_UNAVAILABLE,
                verb.wireName() + " in " + room + ": authorization backend unavailable; retry later");
    }

    /** The user subscribes to (and resumes) and reads the history of their own inbox; nobody does anything else. */
    private static Verdict inbox(Principal who, String room, Verb verb) {
        boolean own = Inboxes.isInboxOf(room, who.userId());
        if (own && (verb == Verb.SUBSCRIBE || verb == Verb.HISTORY)) {
            return Verdict.ALLOWED_OWN_INBOX;
        }
        return Verdict.deny(Verdict.Source.INBOX, verb.wireName() + " in " + room + ": "
                + (!own ? "another user's inbox" : verb == Verb.PUBLISH
                ? "an inbox is written by stored direct messages only" : "not available in an inbox"));
    }

    private CompletableFuture<Verdict> counted(CompletableFuture<Verdict> done, Verdict verdict) {
        metrics.decision(verdict);
        return done;
    }

    private Verdict count(Verdict verdict) {
        metrics.decision(verdict);
        return verdict;
    }

    /** Whether {@code who} may send a direct message to {@code userId} (the {@code direct} claim or the default). */
    public boolean mayMessage(Principal who, String userId) {
        return access.mayMessage(who.capabilities(), userId);
    }

    /** Closes the backend channel (bounded) and removes the metrics. */
    @Override
    public void close() {
        channel.ifPresent(c -> c.close(Duration.ofSeconds(5)));
        metrics.close();
    }
}
