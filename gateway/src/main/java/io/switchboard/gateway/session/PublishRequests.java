package io.switchboard.gateway.session;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.switchboard.auth.capability.Verb;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.Inboxes;
import io.switchboard.proto.PublishLanes;
import io.switchboard.proto.client.v1.ClientFrame;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;

/**
 * A session's Publish and DirectMessage frames: both go to a router, share one {@link RequestBudget} and count
 * for the gateway's drain ({@link Admission}), which closes a connection only once its answers are written.
 * A request is validated, then checked ({@code publish} in the room; a direct message against the {@code direct}
 * claim or the gateway's default), then takes a budget slot, then is admitted (refused UNAVAILABLE while
 * draining); its answer is queued before its slot is given back, so a drain waiting for the count to reach zero
 * closes after it. Publishes leave in the order the connection sent them (its {@link RequestLane}), each numbered
 * in its room's {@link PublishLanes lane}, so that none is stored ahead of an earlier one that failed.
 *
 * <p>Thread-safe: requests start on the connection's reader thread and complete on gRPC threads.
 */
final class PublishRequests {
    private static final Logger LOG = Logger.getLogger(PublishRequests.class.getName());

    private final String sessionId;
    private final SessionOutput output;
    private final SessionAuth auth;
    private final RoomPermissions permissions;
    private final PublishHandler publisher;
    private final DirectMessageHandler directMessages;
    private final Admission admission;
    private final RequestBudget budget;
    /** The connection's publishes per room, in the order sent: see {@link PublishLanes}. */
    private final PublishLanes lanes;

    /** @param maxInFlight publishes and direct messages one connection may have waiting for a router */
    PublishRequests(String sessionId, SessionOutput output, SessionAuth auth, RoomPermissions permissions,
                    PublishHandler publisher, DirectMessageHandler directMessages, Admission admission,
                    int maxInFlight) {
        this.sessionId = sessionId;
        this.output = output;
        this.auth = auth;
        this.permissions = permissions;
        this.publisher = publisher;
        this.directMessages = directMessages;
        this.admission = admission;
        this.budget = new RequestBudget("publishes", maxInFlight, "wait for acks");
        this.lanes = new PublishLanes(sessionId);
    }

    /** Publishes and direct messages still waiting for a router's answer. */
    int inFlight() {
        return budget.inFlight();
    }

    /**
     * Sends a Publish once allowed; the Ack is written when asked for ({@code ack}), an Error always.
     *
     * @return null when decided now, else the stage the connection's next request waits for
     */
    CompletableFuture<Void> publish(Publish p) {
        Optional<ClientError> invalid = publisher.validate(p);
        if (invalid.isPresent()) {
            refuse(p, invalid.get());
            return null;
        }
        return permissions.then(permissions.check(p.getRoom(), Verb.PUBLISH), verdict -> {
            Optional<ClientError> refused = RoomPermissions.refusal(verdict).or(this::admit);
            if (refused.isPresent()) {
                if (refused.get().retriable() && !p.getId().isEmpty()) {
                    // The client resends it: nothing it sent after may be stored before that resend.
                    lanes.refused(p.getRoom(), p.getId());
                }
                refuse(p, refused.get());
                return;
            }
            send(publisher.publish(p, auth.sender(), lanes), p.getRequestId(), p.getRoom(),
                    reply -> reply.hasError() || p.getAck());
        });
    }

    /**
     * The step that numbers a Publish, or a stored DirectMessage, refused before its turn (over the frame rates, or
     * its connection's {@link RequestLane} full) as refused in its lane, as {@link #publish} does for the refusals
     * of the admission: the client resends it, and nothing it sent after it may be stored before that resend. To
     * run in the refused request's turn; it keeps no payload. Empty for a frame that needs none: another request,
     * one without id, or one that is invalid or not permitted (refused for good when resent, so never resent).
     */
    Optional<RequestLane.Step> refusedBeforeItsTurn(ClientFrame frame) {
        if (frame.hasPublish()) {
            Publish p = frame.getPublish();
            if (p.getId().isEmpty() || publisher.validate(p).isPresent()) {
                return Optional.empty();
            }
            String room = p.getRoom();
            String id = p.getId();
            return Optional.of(() -> permissions.then(permissions.check(room, Verb.PUBLISH), verdict -> {
                if (RoomPermissions.refusal(verdict).isEmpty()) {
                    lanes.refused(room, id);
                }
            }));
        }
        if (frame.hasDirect()) {
            DirectMessage dm = frame.getDirect();
            if (!dm.getStored() || dm.getId().isEmpty() || directMessages.validate(dm).isPresent()) {
                return Optional.empty();
            }
            String user = dm.getUserId();
            String id = dm.getId();
            return Optional.of(() -> {
                if (permissions.mayMessage(user)) {
                    lanes.refused(Inboxes.roomOf(user), id);
                }
                return null;
            });
        }
        return Optional.empty();
    }

    private void refuse(Publish p, ClientError error) {
        publisher.rejected(error);
        output.send(ServerFrames.error(p.getRequestId(), error, p.getRoom()));
    }

    /**
     * Sends a DirectMessage when the session may message its user; its Ack or Error is always written. A stored one
     * is a publish into the user's inbox, in the connection's lane for it, so it keeps its send order.
     */
    void direct(DirectMessage dm) {
        Optional<ClientError> refused = directMessages.validate(dm).or(() -> permissions.mayMessage(dm.getUserId())
                ? Optional.empty() : Optional.of(new ClientError(ErrorCode.PERMISSION_DENIED,
                "direct message to " + dm.getUserId() + ": not granted"))).or(this::admit);
        if (refused.isPresent()) {
            if (dm.getStored() && refused.get().retriable() && !dm.getId().isEmpty()) {
                lanes.refused(Inboxes.roomOf(dm.getUserId()), dm.getId()); // as for a publish: see publish()
            }
            output.send(ServerFrames.error(dm.getRequestId(), refused.get(), ""));
            return;
        }
        if (dm.getStored()) {
            send(publisher.publishDirect(dm, auth.sender(), lanes), dm.getRequestId(), "", reply -> true);
            return;
        }
        send(directMessages.send(dm, auth.sender()), dm.getRequestId(), "", reply -> true);
    }

    /** Takes a budget slot and the drain's admission; the refusal when either is not granted. */
    private Optional<ClientError> admit() {
        if (!budget.tryAcquire()) {
            return Optional.of(budget.exhausted());
        }
        if (!admission.tryStartPublish()) {
            budget.release();
            return Optional.of(new ClientError(ErrorCode.UNAVAILABLE, "gateway is draining; reconnect and retry"));
        }
        return Optional.empty();
    }

    private void send(CompletableFuture<ServerFrame> call, int requestId, String room,
                      Predicate<ServerFrame> written) {
        call.whenComplete((reply, failure) -> {
            try {
                if (failure != null) {
                    // The handlers never fail their futures; this is a bug, but the client still gets an answer.
                    LOG.log(Level.SEVERE, "Publish handling failed in session " + sessionId, failure);
                    output.send(ServerFrames.error(requestId, new ClientError(ErrorCode.INTERNAL, "internal error"),
                            room));
                } else if (written.test(reply)) {
                    output.send(reply);
                }
            } finally {
                budget.release();
                admission.publishFinished();
            }
        });
    }
}
