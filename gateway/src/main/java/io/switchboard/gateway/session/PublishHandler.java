package io.switchboard.gateway.session;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.switchboard.gateway.observe.GatewayMetrics;
import io.switchboard.gateway.observe.GatewaySpans;
import io.switchboard.gateway.routing.ClientError;
import io.switchboard.gateway.routing.RouterClient;
import io.switchboard.gateway.routing.StatusMapper;
import io.switchboard.proto.Inboxes;
import io.switchboard.proto.Names;
import io.switchboard.proto.PublishLanes;
import io.switchboard.proto.client.v1.Ack;
import io.switchboard.proto.client.v1.DirectMessage;
import io.switchboard.proto.client.v1.ErrorCode;
import io.switchboard.proto.client.v1.Publish;
import io.switchboard.proto.client.v1.ServerFrame;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.Sender;
import io.switchboard.service.telemetry.LogContext;

/**
 * Turns a client's Publish into a router call and the router's answer into an Ack or an Error frame: checks room,
 * id, conflation key and payload size early (the router checks again, authoritatively), assigns a random id when the client gave
 * none, builds the internal {@link Envelope} and times the call. With tracing on, the call runs in the publish's
 * span ({@link GatewaySpans#startPublish}), made current so that the router client passes its context on; the
 * envelope's trace id is the span's (else the client's {@code traceparent}'s, else random) and the thread's log
 * lines carry it while the call is made. Thread-safe and stateless per call.
 */
public final class PublishHandler {
    private final RouterClient router;
    private final Duration timeout;
    private final int maxPayloadBytes;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private final GatewaySpans spans;

    public PublishHandler(RouterClient router, Duration timeout, int maxPayloadBytes, GatewayMetrics metrics,
                          Clock clock) {
        this(router, timeout, maxPayloadBytes, metrics, clock, GatewaySpans.off());
    }

    public PublishHandler(RouterClient router, Duration timeout, int maxPayloadBytes, GatewayMetrics metrics,
                          Clock clock, GatewaySpans spans) {
        this.router = router;
        this.timeout = timeout;
        this.maxPayloadBytes = maxPayloadBytes;
        this.metrics = metrics;
        this.clock = clock;
        this.spans = spans;
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
        Optional<String> keyProblem = Names.conflationKeyProblem(p.getConflationKey());
        if (keyProblem.isPresent()) {
            return Optional.of(new ClientError(ErrorCode.INVALID_CONFLATION_KEY, keyProblem.get()));
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
     * Sends a validated publish to the room's router as the next of its connection's publishes into the room
     * ({@code lanes}): the router stores none of them ahead of an earlier one that failed.
     *
     * @return completes with an Ack or an Error frame, never exceptionally
     */
    public CompletableFuture<ServerFrame> publish(Publish p, Sender sender, PublishLanes lanes) {
        return publish(p, sender, lanes, false);
    }

    /**
     * Sends a validated, authorized stored direct message: a publish into the target user's inbox, marked
     * {@code direct} (the only envelopes a router stores there), numbered in the connection's lane for that inbox
     * so that the sender's direct messages to one user are stored in the order sent.
     *
     * @return completes with an Ack (room = the inbox) or an Error frame, never exceptionally
     */
    public CompletableFuture<ServerFrame> publishDirect(DirectMessage dm, Sender sender, PublishLanes lanes) {
        return publish(Publish.newBuilder()
                .setRequestId(dm.getRequestId())
                .setRoom(Inboxes.roomOf(dm.getUserId()))
                .setId(dm.getId())
                .setPayload(dm.getPayload())
                .setContentType(dm.getContentType())
                .setAck(true)
                .build(), sender, lanes, true);
    }

    private CompletableFuture<ServerFrame> publish(Publish p, Sender sender, PublishLanes lanes, boolean direct) {
        String id = p.getId().isEmpty() ? "g-" + RandomIds.uuid() : p.getId();
        Span span = spans.startPublish(p, sender, id);
        String traceId = GatewaySpans.traceId(span, p);
        Envelope envelope = Envelope.newBuilder()
                .setId(id)
                .setRoom(p.getRoom())
                .setSender(sender)
                .setPayload(p.getPayload())
                .setContentType(p.getContentType())
                .setConflationKey(p.getConflationKey())
                .setDirect(direct)
                .setTraceId(traceId)
                .setReceivedTime(ServerFrames.timestamp(clock.instant()))
                .build();
        long start = System.nanoTime();
        PublishLanes.Ticket ticket = lanes.next(p.getRoom(), id);
        CompletableFuture<PublishResponse> call;
        LogContext.Scope logged = LogContext.trace(traceId);
        // Current while the request is built: the router client writes its trace context into the request.
        Scope current = spans.enabled() ? span.makeCurrent() : null;
        try {
            call = router.publish(envelope, ticket, timeout);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        } finally {
            if (current != null) {
                current.close();
            }
            logged.close();
        }
        CompletableFuture<ServerFrame> answer = call.handle((response, failure) -> {
            ClientError error = failure == null ? null : StatusMapper.map(failure);
            // First, on the thread that completed the call: a failover of a later publish sees this answer.
            lanes.answered(ticket, error == null ? PublishLanes.Outcome.STORED
                    : error.retriable() ? PublishLanes.Outcome.RETRIABLE : PublishLanes.Outcome.FINAL);
            long nanos = System.nanoTime() - start;
            if (error != null) {
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
        if (spans.enabled()) {
            answer.thenAccept(reply -> spans.endPublish(span, reply));
        }
        return answer;
    }

    private static String outcome(ErrorCode code) {
        return code.name().toLowerCase(Locale.ROOT);
    }
}
