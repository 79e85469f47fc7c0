package io.switchboard.gateway.session;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.switchboard.proto.client.v1.RefreshToken;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * A session's RefreshToken requests: {@link SessionAuth} takes the new token (or refuses it with INVALID_TOKEN and
 * keeps the old one), then {@link SubscriptionRequests#recheck} ends the subscriptions it no longer allows, and only
 * then is the refresh acked, so a client that sees the ack also saw every PERMISSION_REVOKED it caused.
 *
 * <p>Thread-safe: runs as the connection's requests ({@link RequestLane}), one at a time; the ack of a refresh whose
 * checks wait for the application's backend is sent on the thread that answers the last check.
 */
final class RefreshRequests {
    private final SessionAuth auth;
    private final SubscriptionRequests subscriptions;
    private final SessionOutput output;

    RefreshRequests(SessionAuth auth, SubscriptionRequests subscriptions, SessionOutput output) {
        this.auth = auth;
        this.subscriptions = subscriptions;
        this.output = output;
    }

    /**
     * Takes a refreshed token, ends the subscriptions it no longer allows, then acks (or refuses the token).
     *
     * @return null when answered now, else the stage the connection's next request waits for
     */
    CompletionStage<?> refresh(RefreshToken refresh) {
        Optional<ServerFrame> refused = auth.refresh(refresh);
        if (refused.isPresent()) {
            output.send(refused.get());
            return null;
        }
        ServerFrame ack = ServerFrames.ack(refresh.getRequestId());
        CompletableFuture<Void> rechecked = subscriptions.recheck();
        if (rechecked.isDone()) {
            output.send(ack);
            return null;
        }
        return rechecked.whenComplete((done, failure) -> output.send(ack));
    }
}
