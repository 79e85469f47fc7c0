package io.switchboard.gateway.session;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.auth.capability.Verb;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.Ephemeral;
import io.switchboard.proto.client.v1.ErrorCode;

/**
 * A session's Ephemeral frames (typing indicators and the like) of subscribed rooms where {@code ephemeral} is
 * allowed: sent to the room's router within a {@link RequestBudget}; more in flight are dropped. Only an event
 * with a request id hears of throttling or a router's refusal; fire-and-forget events (request id 0) hear nothing
 * of those.
 *
 * <p>Thread-safe: events start on the connection's reader thread and complete on gRPC threads.
 */
final class EphemeralRequests {
    /** Ephemeral events one connection may have waiting for a router; more are dropped. */
    static final int MAX_INFLIGHT_EPHEMERALS = 16;

    private static final Logger LOG = Logger.getLogger(EphemeralRequests.class.getName());

    private final String sessionId;
    private final SessionOutput output;
    private final SessionAuth auth;
    private final RoomSubscriptions rooms;
    private final RoomPermissions permissions;
    private final EphemeralHandler handler;
    private final RequestBudget budget =
            new RequestBudget("ephemeral events", MAX_INFLIGHT_EPHEMERALS, "send them less often");

    EphemeralRequests(String sessionId, SessionOutput output, SessionAuth auth, RoomSubscriptions rooms,
                      RoomPermissions permissions, EphemeralHandler handler) {
        this.sessionId = sessionId;
        this.output = output;
        this.auth = auth;
        this.rooms = rooms;
        this.permissions = permissions;
        this.handler = handler;
    }

    /**
     * Sends an event of a subscribed room once {@code ephemeral} is allowed there. A malformed event, one of a room
     * the session is not subscribed to, and a refused one are answered with an Error whatever its request id.
     *
     * @return null when decided now, else the stage the connection's next request waits for
     */
    CompletableFuture<Void> send(Ephemeral e) {
        int rid = e.getRequestId();
        Optional<ClientError> invalid = handler.validate(e);
        if (invalid.isEmpty() && !rooms.contains(e.getRoom())) {
            invalid = Optional.of(new ClientError(ErrorCode.NOT_SUBSCRIBED,
                    "not subscribed to " + e.getRoom() + " (expected: subscribe before sending events)"));
        }
        if (invalid.isPresent()) {
            output.send(ServerFrames.error(rid, invalid.get(), e.getRoom()));
            return null;
        }
        return permissions.then(permissions.check(e.getRoom(), Verb.EPHEMERAL), verdict -> {
            Optional<ClientError> refused = RoomPermissions.refusal(verdict);
            if (refused.isPresent()) {
                output.send(ServerFrames.error(rid, refused.get(), e.getRoom()));
            } else {
                relay(e);
            }
        });
    }

    private void relay(Ephemeral e) {
        int rid = e.getRequestId();
        if (!budget.tryAcquire()) {
            if (rid != 0) {
                output.send(ServerFrames.error(rid, budget.exhausted(), e.getRoom()));
            }
            return;
        }
        handler.send(e, auth.sender()).whenComplete((error, failure) -> {
            try {
                if (failure != null) {
                    LOG.log(Level.SEVERE, "Ephemeral handling failed in session " + sessionId, failure);
                } else if (error.isPresent() && rid != 0) {
                    output.send(ServerFrames.error(rid, error.get(), e.getRoom()));
                }
            } finally {
                budget.release();
            }
        });
    }
}
