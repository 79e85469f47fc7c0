package io.switchboard.gateway.session;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.gateway.routing.RouterClient;
import io.switchboard.gateway.routing.StatusMapper;
import io.switchboard.proto.Names;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.Sender;

/**
 * Turns a client's Publish into a router call and the router's answer into an Ack or an Error frame: checks room,
 * id and payload size early (the router checks again, authoritatively), assigns a random id when the client gave
 * none, builds the internal {@link Envelope} and times the call. Thread-safe and stateless per call.
 */
public final class PublishHandler {
    private final RouterClient router;
    private final Duration timeout;
    private final int maxPayloadBytes;
    private final GatewayMetrics metrics;
    private final Clock clock;

    public PublishHandler(RouterClient router, Duration timeout, int maxPayloadBytes, GatewayMetrics metrics,
                          Clock clock) {
        this.router = router;
        this.timeout = timeout;
        this.maxPayloadBytes = maxPayloadBytes;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The error to answer {@code p} with, or empty when it may go to a router. */
    public Optional<ClientError> validate(Publish p) {
        Optional<String> roomProblem = Names.clientRoomProblem(p.getRoom());
        if (roomProblem.isPresent()) {
            return Optional.of(new ClientError(ErrorCode.INVALID_ROOM, roomProblem.get()));
        }
        if (!p.getId().isEmpty()) {
            Optional<String> idProblem = Names.idProblem(p.getId());
            if (idProblem.isPresent()) {
                return Optional.of(new ClientError(ErrorCode.INVALID_ID, idProblem.get()));
            }
        }
        if (p.getPayload().size() > maxPayloadBytes) {
            return Optional.of(new ClientError(ErrorCode.PAYLOAD_TOO_LARGE,
                    "payload: " + p.getPayload().size() + " bytes (expected: <= " + maxPayloadBytes + ")"));
        }
        return Optional.empty();
    }

    /** Counts a publish answered without a router call (validation, limits, draining). */
    public void rejected(ClientError error) {
        metrics.publishRejected(outcome(error.code()));
    }

    /**
     * Sends a validated publish to the room's router.
     *
     * @return completes with an Ack or an Error frame, never exceptionally
     */
    public CompletableFuture<ServerFrame> publish(Publish p, Sender sender) {
        String id = p.getId().isEmpty() ? "g-" + UUID.randomUUID() : p.getId();
        Envelope envelope = Envelope.newBuilder()
                .setId(id)
                .setRoom(p.getRoom())
                .setSender(sender)
                .setPayload(p.getPayload())
                .setContentType(p.getContentType())
                .setTraceId(UUID.randomUUID().toString().replace("-", ""))
                .setReceivedTime(ServerFrames.timestamp(clock.instant()))
                .build();
        long start = System.nanoTime();
        CompletableFuture<PublishResponse> call;
        try {
            call = router.publish(envelope, timeout);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((response, failure) -> {
            long nanos = System.nanoTime() - start;
            if (failure != null) {
                ClientError error = StatusMapper.map(failure);
                metrics.publish(outcome(error.code()), nanos);
                return ServerFrames.error(p.getRequestId(), error, p.getRoom());
            }
            metrics.publish(response.getDuplicate() ? "duplicate" : "ok", nanos);
            return ServerFrame.newBuilder().setAck(Ack.newBuilder()
                    .setRequestId(p.getRequestId())
                    .setRoom(p.getRoom())
                    .setId(id)
                    .setPosition(response.getPosition().getOffset())
                    .setEpoch(response.getPosition().getEpoch())
                    .setDuplicate(response.getDuplicate())).build();
        });
    }

    private static String outcome(ErrorCode code) {
        return code.name().toLowerCase(Locale.ROOT);
    }
}
