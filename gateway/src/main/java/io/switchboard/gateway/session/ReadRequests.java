package io.switchboard.gateway.session;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
        return permissions.then(permissions.check(request.getRoom(), Verb.HISTORY), verdict -> {
            Optional<ClientError> refused = RoomPermissions.refusal(verdict)
                    .or(() -> historyBudget.tryAcquire() ? Optional.empty() : Optional.of(historyBudget.exhausted()));
            if (refused.isPresent()) {
                output.send(ServerFrames.error(request.getRequestId(), refused.get(), request.getRoom()));
                return;
            }
            answer(history.page(request), historyBudget, request.getRequestId(), request.getRoom(), "History request");
        });
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
        return permissions.then(permissions.check(q.getRoom(), Verb.PRESENCE), verdict -> {
            Optional<ClientError> refused = RoomPermissions.refusal(verdict)
                    .or(() -> presenceBudget.tryAcquire() ? Optional.empty() : Optional.of(presenceBudget.exhausted()));
            if (refused.isPresent()) {
                output.send(ServerFrames.error(q.getRequestId(), refused.get(), q.getRoom()));
                return;
            }
            answer(members.query(q), presenceBudget, q.getRequestId(), q.getRoom(), "Presence query");
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
