package io.switchboard.gateway.session;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.auth.capability.Verb;
import io.switchboard.gateway.authz.Principal;
import io.switchboard.gateway.authz.RoomAuthorizer;
import io.switchboard.gateway.authz.Verdict;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * The session's side of room authorization: asks the gateway's {@link RoomAuthorizer} for the session's current
 * {@link Principal} (which changes on refresh), and runs what a request does once its verdict is known: at once
 * when the token, a policy or a cached answer decided, else when the backend answers, unless the session closed
 * meanwhile. Refusals become client errors: PERMISSION_DENIED (204), or UNAVAILABLE (101, retriable) when the
 * backend could not be asked and the namespace fails closed.
 *
 * <p>Thread-safe: the principal is read from {@link SessionAuth}'s volatile field; the closed flag is volatile.
 */
final class RoomPermissions {
    private static final Logger LOG = Logger.getLogger(RoomPermissions.class.getName());

    private final SessionAuth auth;
    private final RoomAuthorizer authorizer;
    private volatile boolean closed;

    RoomPermissions(SessionAuth auth, RoomAuthorizer authorizer) {
        this.auth = auth;
        this.authorizer = authorizer;
    }

    /** The verdict for {@code verb} in {@code room}; completed at once unless the backend is called. */
    CompletableFuture<Verdict> check(String room, Verb verb) {
        return authorizer.authorize(auth.principal(), room, verb);
    }

    /**
     * The verdict for a subscription: {@code subscribe}, and {@code presence} too when it asks for presence
     * events (the second is asked only when the first allows).
     */
    CompletableFuture<Verdict> checkSubscription(String room, boolean presence) {
        CompletableFuture<Verdict> subscribe = check(room, Verb.SUBSCRIBE);
        if (!presence) {
            return subscribe;
        }
        if (subscribe.isDone()) {
            Verdict v = subscribe.join();
            return v.allowed() ? check(room, Verb.PRESENCE) : subscribe;
        }
        return subscribe.thenCompose(v -> v.allowed() ? check(room, Verb.PRESENCE)
                : CompletableFuture.completedFuture(v));
    }

    /** Whether the session may send a direct message to {@code userId}. */
    boolean mayMessage(String userId) {
        return authorizer.mayMessage(auth.principal(), userId);
    }

    /**
     * Runs {@code action} with the verdict: now when it is known, else once it is (on the answering thread), and
     * then only while the session is open.
     *
     * @return null when {@code action} ran now, else the stage the connection's next request waits for
     */
    CompletableFuture<Void> then(CompletableFuture<Verdict> verdict, Consumer<Verdict> action) {
        if (verdict.isDone()) {
            action.accept(verdict.join());
            return null;
        }
        return verdict.thenAccept(v -> {
            if (!closed) {
                action.accept(v);
            }
        }).exceptionally(failure -> {
            LOG.log(Level.SEVERE, "Request after a permission check failed in session " + auth.sessionId(), failure);
            return null;
        });
    }

    /** The client error of a refused verdict; empty when it allows. */
    static Optional<ClientError> refusal(Verdict verdict) {
        if (verdict.allowed()) {
            return Optional.empty();
        }
        return Optional.of(new ClientError(verdict.unavailable() ? ErrorCode.UNAVAILABLE : ErrorCode.PERMISSION_DENIED,
                verdict.reason()));
    }

    /** The session closed: answers that come later do nothing. */
    void close() {
        closed = true;
    }
}
