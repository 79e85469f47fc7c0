package io.switchboard.gateway.session;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.auth.capability.Verb;
import io.switchboard.gateway.history.HistoryPager;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * A session's reads: HistoryRequest pages from the history service and PresenceQuery member lists from the
 * presence service (only for a subscribed room), each once its verb ({@code history}, {@code presence}) is allowed
 * in the room. Each kind has its own {@link RequestBudget}; the answer (a page, or an Error, INTERNAL when the
 * handler itself broke) is always written.
 *
 * <p>Thread-safe: reads start on the connection's reader thread and complete on gRPC threads.
 */
final class ReadRequests {
    /** HistoryRequests one connection may have waiting for the history service. */
    static final int MAX_INFLIGHT_HISTORY_REQUESTS = 8;
    /** PresenceQueries one connection may have waiting for the presence service. */
    static final int MAX_INFLIGHT_PRESENCE_QUERIES = 8;

    private static final Logger LOG = Logger.getLogger(ReadRequests.class.getName());

    private final String sessionId;
    private final SessionOutput output;
    private final RoomSubscriptions rooms;
    private final RoomPermissions permissions;
    private final HistoryPager history;
    private final PresenceQueryHandler members;
    private final RequestBudget historyBudget =
            new RequestBudget("history requests", MAX_INFLIGHT_HISTORY_REQUESTS, "wait for pages");
    private final RequestBudget presenceBudget =
            new RequestBudget("presence queries", MAX_INFLIGHT_PRESENCE_QUERIES, "wait for pages");

    ReadRequests(String sessionId, SessionOutput output, RoomSubscriptions rooms, RoomPermissions permissions,
                 HistoryPager history, PresenceQueryHandler members) {
        this.sessionId = sessionId;
        this.output = output;
        this.rooms = rooms;
        this.permissions = permissions;
        this.history = history;
        this.members = members;
    }

    /**
     * Answers a HistoryRequest with a HistoryPage or an Error.
     *
     * @return null when decided now, else the stage the connection's next request waits for
     */
    CompletableFuture<Void> history(HistoryRequest request) {
        Optional<ClientError> invalid = history.validate(request);
        if (invalid.isPresent()) {
            // Before the permission check, so that the backend never hears of a malformed request.
            output.send(ServerFrames.error(request.getRequestId(), invalid.get(), request.getRoom()));
            return null;
        }
        return whenAllowed(request.getRoom(), Verb.HISTORY, historyBudget, request.getRequestId(),
                () -> history.page(request), "History request");
    }

    /**
     * Answers a PresenceQuery of a subscribed room with a PresencePage or an Error.
     *
     * @return null when decided now, else the stage the connection's next request waits for
     */
    CompletableFuture<Void> presence(PresenceQuery q) {
        Optional<ClientError> invalid = members.validate(q);
        if (invalid.isEmpty() && !rooms.contains(q.getRoom())) {
            invalid = Optional.of(new ClientError(ErrorCode.NOT_SUBSCRIBED,
                    "not subscribed to " + q.getRoom() + " (expected: subscribe before asking for members)"));
        }
        if (invalid.isPresent()) {
            output.send(ServerFrames.error(q.getRequestId(), invalid.get(), q.getRoom()));
            return null;
        }
        return whenAllowed(q.getRoom(), Verb.PRESENCE, presenceBudget, q.getRequestId(), () -> members.query(q),
                "Presence query");
    }

    /** Once {@code verb} is allowed in {@code room} and {@code budget} has a slot, sends the read and answers. */
    private CompletableFuture<Void> whenAllowed(String room, Verb verb, RequestBudget budget, int requestId,
                                                Supplier<CompletableFuture<ServerFrame>> read, String what) {
        return permissions.then(permissions.check(room, verb), verdict -> {
            Optional<ClientError> refused = RoomPermissions.refusal(verdict)
                    .or(() -> budget.tryAcquire() ? Optional.empty() : Optional.of(budget.exhausted()));
            if (refused.isPresent()) {
                output.send(ServerFrames.error(requestId, refused.get(), room));
                return;
            }
            answer(read.get(), budget, requestId, room, what);
        });
    }

    private void answer(CompletableFuture<ServerFrame> call, RequestBudget budget, int requestId, String room,
                        String what) {
        call.whenComplete((reply, failure) -> {
            try {
                if (failure != null) {
                    LOG.log(Level.SEVERE, what + " failed in session " + sessionId, failure);
                    output.send(ServerFrames.error(requestId, new ClientError(ErrorCode.INTERNAL, "internal error"),
                            room));
                } else {
                    output.send(reply);
                }
            } finally {
                budget.release();
            }
        });
    }
}
