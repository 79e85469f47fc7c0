package io.switchboard.gateway.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.gateway.authz.Verdict;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Subscribe;
import io.switchboard.proto.client.v1.Unsubscribe;

/**
 * What changes a session's subscriptions, with the permission each needs. A Subscribe (also a resume) is checked
 * for its name and the subscription limit, then for {@code subscribe} (and {@code presence} when it asks for
 * presence events); a refusal is an Error naming the room and the verb, and the session's other subscriptions stay.
 * A backend's SubscribeUser and UnsubscribeUser need no permission. After a token refresh, every subscription the
 * new token no longer allows ends with Unsubscribed(0, PERMISSION_REVOKED); those a backend granted stay, and so
 * does a subscription whose check the backend could not answer (an outage takes nothing away).
 *
 * <p>Thread-safe: runs as the connection's requests ({@link RequestLane}), one at a time, on whichever thread runs
 * the lane; resume completions run on gRPC threads.
 */
final class SubscriptionRequests {
    private static final Logger LOG = Logger.getLogger(SubscriptionRequests.class.getName());

    private final String sessionId;
    private final SessionOutput output;
    private final RoomSubscriptions rooms;
    private final ResumeHandOver resumes;
    private final RoomPermissions permissions;

    SubscriptionRequests(String sessionId, SessionOutput output, RoomSubscriptions rooms, ResumeHandOver resumes,
                         RoomPermissions permissions) {
        this.sessionId = sessionId;
        this.output = output;
        this.rooms = rooms;
        this.resumes = resumes;
        this.permissions = permissions;
    }

    /**
     * A Subscribe: refused at once when malformed or over the limit, else subscribed (or resumed) once allowed.
     *
     * @return null when decided now, else the stage the connection's next request waits for
     */
    CompletableFuture<Void> subscribe(Subscribe sub) {
        Optional<ClientError> refused = rooms.refusal(sub.getRoom());
        if (refused.isPresent()) {
            output.send(ServerFrames.error(sub.getRequestId(), refused.get(), sub.getRoom()));
            return null;
        }
        return permissions.then(permissions.checkSubscription(sub.getRoom(), sub.getPresence()),
                verdict -> subscribeAllowed(sub, verdict));
    }

    private void subscribeAllowed(Subscribe sub, Verdict verdict) {
        Optional<ClientError> denied = RoomPermissions.refusal(verdict);
        if (denied.isPresent()) {
            output.send(ServerFrames.error(sub.getRequestId(), denied.get(), sub.getRoom()));
        } else if (!sub.hasResumeFrom()) {
            rooms.subscribe(sub);
        } else {
            resumes.resume(sub).whenComplete((done, failure) -> {
                if (failure != null) {
                    LOG.log(Level.SEVERE, "Resume of " + sub.getRoom() + " failed in session " + sessionId, failure);
                    output.closeConnection(ErrorCode.SERVER_ERROR, "internal error");
                }
            });
        }
    }

    void unsubscribe(Unsubscribe unsub) {
        rooms.unsubscribe(unsub);
    }

    /** A backend's SubscribeUser: a valid room within the limit is subscribed without a permission check. */
    void serverSubscribe(String room, boolean presence) {
        Optional<ClientError> refused = rooms.refusal(room);
        if (refused.isPresent()) {
            // The backend's request is wrong or this connection is full: the client hears why, request id 0.
            LOG.fine(() -> "SubscribeUser " + room + " refused in session " + sessionId + ": " + refused.get());
            output.send(ServerFrames.error(0, refused.get(), room));
            return;
        }
        rooms.serverSubscribe(room, presence);
    }

    /** A backend's UnsubscribeUser: ends the subscription to {@code room} however it was made. */
    void serverUnsubscribe(String room, String reason) {
        if (Names.roomProblem(room).isEmpty()) {
            rooms.end(room, ErrorCode.SERVER_UNSUBSCRIBED, reason.isEmpty() ? "unsubscribed by the server" : reason);
        }
    }

    /**
     * After a refresh: checks every subscription against the new token and ends those it no longer allows.
     *
     * @return completes once every check is answered and every revoked subscription ended
     */
    CompletableFuture<Void> recheck() {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (String room : rooms.held()) {
            if (rooms.grantedByServer(room)) {
                continue;
            }
            checks.add(permissions.checkSubscription(room, rooms.wantsPresence(room)).thenAccept(verdict -> {
                if (verdict.denied()) {
                    rooms.end(room, ErrorCode.PERMISSION_REVOKED, verdict.reason());
                }
            }));
        }
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
    }
}
