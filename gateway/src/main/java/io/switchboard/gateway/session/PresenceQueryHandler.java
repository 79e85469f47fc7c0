package io.switchboard.gateway.session;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import io.grpc.Status;
import io.switchboard.gateway.presence.PresenceDirectory;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.PresencePage;
import io.switchboard.proto.client.v1.PresenceQuery;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.service.Futures;

/**
 * Answers PresenceQuery frames from the presence service's RoomMembers (the subscription check is the session's),
 * with the version and epoch the page shows (docs/protocol.md section 11.1). An unreachable, unconfigured or
 * still warming-up presence service is a retriable UNAVAILABLE, and so is a gateway whose signal consumer does not
 * relay presence events yet. Thread-safe and stateless.
 */
public final class PresenceQueryHandler {
    private final PresenceDirectory directory;
    private final BooleanSupplier eventsFlowing;

    /**
     * @param eventsFlowing true once this gateway relays every presence event written from then on; until then pages
     *                      are refused (retriable), since an event after the page could be missed unnoticed
     */
    public PresenceQueryHandler(PresenceDirectory directory, BooleanSupplier eventsFlowing) {
        this.directory = directory;
        this.eventsFlowing = eventsFlowing;
    }

    /** The error to answer {@code q} with before any call, or empty. */
    public Optional<ClientError> validate(PresenceQuery q) {
        Optional<String> roomProblem = Names.clientRoomProblem(q.getRoom());
        if (roomProblem.isPresent()) {
            return Optional.of(new ClientError(ErrorCode.INVALID_ROOM, roomProblem.get()));
        }
        if (q.getLimit() > 1000) {
            return Optional.of(new ClientError(ErrorCode.BAD_REQUEST, "limit: " + q.getLimit() + " (expected: 0-1000)"));
        }
        return Optional.empty();
    }

    /** @return completes with a PresencePage or an Error frame, never exceptionally */
    public CompletableFuture<ServerFrame> query(PresenceQuery q) {
        RoomMembersRequest request = RoomMembersRequest.newBuilder()
                .setRoom(q.getRoom())
                .setAfterUser(q.getAfterUser())
                .setLimit(q.getLimit() == 0 ? 100 : q.getLimit())
                .build();
        CompletableFuture<io.switchboard.proto.internal.v1.RoomMembersResponse> call = Futures.started(
                () -> eventsFlowing.getAsBoolean() ? directory.roomMembers(request)
                        : CompletableFuture.failedFuture(Status.UNAVAILABLE
                                .withDescription("this gateway does not relay presence events yet")
                                .asRuntimeException()));
        return call.handle((r, failure) -> {
            if (failure != null) {
                return ServerFrames.error(q.getRequestId(), map(failure), q.getRoom());
            }
            return ServerFrame.newBuilder().setPresencePage(PresencePage.newBuilder()
                    .setRequestId(q.getRequestId())
                    .setRoom(q.getRoom())
                    .addAllMembers(r.getMembersList())
                    .setHasMore(r.getHasMore())
                    .setNextAfterUser(r.getNextAfterUser())
                    .setUsers(r.getUsers())
                    .setConnections(r.getConnections())
                    .setVersion(r.getVersion())
                    .setEpoch(r.getEpoch())).build();
        });
    }

    private static ClientError map(Throwable failure) {
        Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        Status status = Status.fromThrowable(t);
        return switch (status.getCode()) {
            case INVALID_ARGUMENT -> new ClientError(ErrorCode.BAD_REQUEST,
                    status.getDescription() == null ? "invalid request" : status.getDescription());
            case UNAVAILABLE, DEADLINE_EXCEEDED -> new ClientError(ErrorCode.UNAVAILABLE,
                    "presence unavailable" + (status.getDescription() == null ? "" : ": " + status.getDescription()));
            default -> new ClientError(ErrorCode.INTERNAL, "internal error (" + status.getCode() + ")");
        };
    }
}
