package io.switchboard.gateway.session;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.switchboard.gateway.routing.ClientError;
import io.switchboard.gateway.routing.RouterClient;
import io.switchboard.gateway.routing.StatusMapper;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.service.Futures;

/**
 * Turns a client's DirectMessage into {@code RouterService.SendToUser} (router chosen by rendezvous on
 * {@code "user:<id>"}) and the answer into an Ack (id, duplicate, devices) or an Error. Thread-safe
 * and stateless.
 */
public final class DirectMessageHandler {
    private final RouterClient router;
    private final Duration timeout;
    private final int maxPayloadBytes;

    public DirectMessageHandler(RouterClient router, Duration timeout, int maxPayloadBytes) {
        this.router = router;
        this.timeout = timeout;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** The error to answer {@code dm} with before any router call, or empty. */
    public Optional<ClientError> validate(DirectMessage dm) {
        Optional<String> userProblem = Names.userIdProblem("user_id", dm.getUserId());
        if (userProblem.isPresent()) {
            return Optional.of(new ClientError(ErrorCode.BAD_REQUEST, userProblem.get()));
        }
        if (!dm.getId().isEmpty()) {
            Optional<String> idProblem = Names.idProblem(dm.getId());
            if (idProblem.isPresent()) {
                return Optional.of(new ClientError(ErrorCode.INVALID_ID, idProblem.get()));
            }
        }
        if (dm.getPayload().size() > maxPayloadBytes) {
            return Optional.of(new ClientError(ErrorCode.PAYLOAD_TOO_LARGE,
                    "payload: " + dm.getPayload().size() + " bytes (expected: <= " + maxPayloadBytes + ")"));
        }
        return Optional.empty();
    }

    /**
     * Sends a validated direct message.
     *
     * @return completes with an Ack or an Error frame, never exceptionally
     */
    public CompletableFuture<ServerFrame> send(DirectMessage dm, Sender sender) {
        // From SecureRandom, not RandomIds: a direct message's id is deduplicated per *target* user, so another
        // sender who could predict it could send that id first and have this message answered "duplicate".
        String id = dm.getId().isEmpty() ? "g-" + UUID.randomUUID() : dm.getId();
        SendToUserRequest request = SendToUserRequest.newBuilder()
                .setUserId(dm.getUserId())
                .setId(id)
                .setSender(sender)
                .setPayload(dm.getPayload())
                .setContentType(dm.getContentType())
                .build();
        return Futures.started(() -> router.sendToUser(request, timeout)).handle((response, failure) -> {
            if (failure != null) {
                return ServerFrames.error(dm.getRequestId(), StatusMapper.map(failure), "");
            }
            return ServerFrame.newBuilder().setAck(Ack.newBuilder()
                    .setRequestId(dm.getRequestId())
                    .setId(id)
                    .setDuplicate(response.getDuplicate())
                    .setDevices(response.getDevices())).build();
        });
    }
}
