package io.switchboard.gateway.history;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.switchboard.proto.Messages;
import io.switchboard.roomlog.RoomLogTopic;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.Error;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.HistoryPage;
import io.switchboard.proto.client.v1.HistoryRequest;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.ReadDirection;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;

/**
 * Answers a client's HistoryRequest with one {@link HistoryPage} (or an Error): validates it, asks the history
 * service (not coalesced: pages are client-driven and rarely identical) and builds each message exactly as the
 * live fan-out does ({@link Messages}). Thread-safe and stateless per call.
 */
public final class HistoryPager {
    /** Page size when the request says 0. */
    public static final int DEFAULT_LIMIT = 50;
    /** Largest page a client may ask for. */
    public static final int MAX_LIMIT = 500;

    private final HistoryClient client;
    private final RoomLogTopic layout;
    private final GatewayMetrics metrics;

    public HistoryPager(HistoryClient client, RoomLogTopic layout, GatewayMetrics metrics) {
        this.client = client;
        this.layout = layout;
        this.metrics = metrics;
    }

    /** Why {@code r} cannot be answered as asked (room syntax, limit, direction), or empty. */
    public Optional<ClientError> validate(HistoryRequest r) {
        Optional<String> roomProblem = Names.clientRoomProblem(r.getRoom());
        if (roomProblem.isPresent()) {
            return Optional.of(new ClientError(ErrorCode.INVALID_ROOM, roomProblem.get()));
        }
        if (r.getLimit() > MAX_LIMIT) {
            return Optional.of(new ClientError(ErrorCode.BAD_REQUEST,
                    "limit: " + r.getLimit() + " (expected: 0-" + MAX_LIMIT + ")"));
        }
        if (direction(r) == null) {
            return Optional.of(new ClientError(ErrorCode.BAD_REQUEST,
                    "direction: " + r.getDirectionValue() + " (expected: LATEST, BEFORE or AFTER)"));
        }
        return Optional.empty();
    }

    private static ReadDirection direction(HistoryRequest r) {
        return switch (r.getDirection()) {
            case LATEST -> ReadDirection.READ_LATEST;
            case BEFORE -> ReadDirection.READ_BEFORE;
            case AFTER -> ReadDirection.READ_AFTER;
            case UNRECOGNIZED -> null;
        };
    }

    /** @return completes with a HistoryPage or an Error frame, never exceptionally */
    public CompletableFuture<ServerFrame> page(HistoryRequest r) {
        Optional<ClientError> invalid = validate(r);
        if (invalid.isPresent()) {
            return error(r, invalid.get());
        }
        ReadRequest request = ReadRequest.newBuilder()
                .setRoom(r.getRoom())
                .setDirection(direction(r))
                .setPosition(r.getPosition())
                .setEpoch(r.getEpoch())
                .setLimit(r.getLimit() == 0 ? DEFAULT_LIMIT : r.getLimit())
                .build();
        metrics.historyRead("page");
        return client.readOrFail(request).handle((response, failure) -> {
            if (failure == null) {
                return page(r, response);
            }
            Optional<ClientError> error = HistoryStatusMapper.page(HistoryStatusMapper.status(failure));
            return error.map(e -> errorFrame(r, e))
                    .orElseGet(() -> page(r, ReadResponse.newBuilder().setEpoch(layout.epochOf(r.getRoom())).build()));
        });
    }

    private ServerFrame page(HistoryRequest r, ReadResponse response) {
        String epoch = response.getEpoch().isEmpty() ? layout.epochOf(r.getRoom()) : response.getEpoch();
        HistoryPage.Builder page = HistoryPage.newBuilder()
                .setRequestId(r.getRequestId())
                .setRoom(r.getRoom())
                .setEpoch(epoch)
                .setHasMore(response.getHasMore());
        for (Envelope env : response.getMessagesList()) {
            page.addMessages(Messages.ofStored(r.getRoom(), env, epoch));
        }
        return ServerFrame.newBuilder().setHistoryPage(page).build();
    }

    private static CompletableFuture<ServerFrame> error(HistoryRequest r, ClientError e) {
        return CompletableFuture.completedFuture(errorFrame(r, e));
    }

    private static ServerFrame errorFrame(HistoryRequest r, ClientError e) {
        return ServerFrame.newBuilder().setError(Error.newBuilder()
                .setRequestId(r.getRequestId())
                .setCode(e.code())
                .setMessage(e.message())
                .setRetriable(e.retriable())
                .setRoom(r.getRoom())).build();
    }
}
