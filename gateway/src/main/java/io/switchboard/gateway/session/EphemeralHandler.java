package io.switchboard.gateway.session;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import io.switchboard.gateway.routing.ClientError;
import io.switchboard.gateway.routing.RouterClient;
import io.switchboard.gateway.routing.StatusMapper;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.Ephemeral;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.internal.v1.EphemeralRecord;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.service.Futures;

/**
 * Turns a client's Ephemeral frame into a router call: checks room, kind and payload size (the subscription check
 * is the session's), builds the {@link EphemeralRecord} and maps the router's answer. Thread-safe and stateless.
 */
public final class EphemeralHandler {
    private static final Pattern KIND = Pattern.compile("[A-Za-z0-9._-]{1,32}");

    private final RouterClient router;
    private final Duration timeout;
    private final int maxPayloadBytes;
    private final Clock clock;

    public EphemeralHandler(RouterClient router, Duration timeout, int maxPayloadBytes, Clock clock) {
        this.router = router;
        this.timeout = timeout;
        this.maxPayloadBytes = maxPayloadBytes;
        this.clock = clock;
    }

    /** The error to answer {@code e} with before any router call, or empty. */
    public Optional<ClientError> validate(Ephemeral e) {
        Optional<String> roomProblem = Names.clientRoomProblem(e.getRoom());
        if (roomProblem.isPresent()) {
            return Optional.of(new ClientError(ErrorCode.INVALID_ROOM, roomProblem.get()));
        }
        if (!KIND.matcher(e.getKind()).matches()) {
            return Optional.of(new ClientError(ErrorCode.BAD_REQUEST,
                    "kind: '" + e.getKind() + "' (expected: 1-32 characters [A-Za-z0-9._-])"));
        }
        if (e.getPayload().size() > maxPayloadBytes) {
            return Optional.of(new ClientError(ErrorCode.PAYLOAD_TOO_LARGE,
                    "payload: " + e.getPayload().size() + " bytes (expected: <= " + maxPayloadBytes + ")"));
        }
        return Optional.empty();
    }

    /**
     * Sends a validated event to the room's router.
     *
     * @return completes with the error to report (throttled: RATE_LIMITED), or empty when the router took it;
     *         never exceptionally
     */
    public CompletableFuture<Optional<ClientError>> send(Ephemeral e, Sender sender) {
        EphemeralRecord event = EphemeralRecord.newBuilder()
                .setRoom(e.getRoom())
                .setKind(e.getKind())
                .setSender(sender)
                .setPayload(e.getPayload())
                .setContentType(e.getContentType())
                .setStop(e.getStop())
                .setTime(ServerFrames.timestamp(clock.instant()))
                .build();
        return Futures.started(() -> router.publishEphemeral(event, timeout)).handle((response, failure) -> {
            if (failure != null) {
                return Optional.of(StatusMapper.map(failure));
            }
            if (!response.getAccepted()) {
                return Optional.of(new ClientError(ErrorCode.RATE_LIMITED,
                        "ephemeral '" + e.getKind() + "' in " + e.getRoom() + " throttled; send it less often"));
            }
            return Optional.empty();
        });
    }
}
