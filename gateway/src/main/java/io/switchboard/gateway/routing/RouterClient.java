package io.switchboard.gateway.routing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.switchboard.proto.PublishLanes;
import io.switchboard.proto.internal.v1.EphemeralRecord;
import io.switchboard.proto.internal.v1.EphemeralResponse;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.SendToUserRequest;
import io.switchboard.proto.internal.v1.SendToUserResponse;

/**
 * Sends publishes to the router that owns their room, failing over to the next router when the owner is
 * unavailable (see {@link GrpcRouterClient}). Implementations are thread-safe.
 */
public interface RouterClient extends AutoCloseable {
    /**
     * Publishes one envelope. The future fails with a gRPC {@code StatusRuntimeException} (map it with
     * {@link StatusMapper}); it never blocks the caller.
     */
    CompletableFuture<PublishResponse> publish(Envelope envelope, Duration timeout);

    /**
     * Publishes one envelope as the publish of {@code ticket} in its sender's lane (each attempt carries the lane's
     * current {@link PublishLanes.Ticket#sequence()}), so that the router stores nothing of the lane ahead of a
     * publish that failed. By default the lane is not sent (a client that cannot keep order).
     */
    default CompletableFuture<PublishResponse> publish(Envelope envelope, PublishLanes.Ticket ticket,
                                                       Duration timeout) {
        return publish(envelope, timeout);
    }

    /**
     * Sends an ephemeral event to the router that owns its room (which throttles it and writes it to the
     * ephemeral topic). {@code accepted=false} means throttled. Fails like {@link #publish}.
     */
    default CompletableFuture<EphemeralResponse> publishEphemeral(EphemeralRecord event, Duration timeout) {
        return CompletableFuture.failedFuture(io.grpc.Status.UNIMPLEMENTED
                .withDescription("publishEphemeral not supported by " + getClass().getSimpleName()).asRuntimeException());
    }

    /**
     * Sends a direct message to the router picked by rendezvous on {@code "user:<id>"}. Fails like {@link #publish}.
     */
    default CompletableFuture<SendToUserResponse> sendToUser(SendToUserRequest request, Duration timeout) {
        return CompletableFuture.failedFuture(io.grpc.Status.UNIMPLEMENTED
                .withDescription("sendToUser not supported by " + getClass().getSimpleName()).asRuntimeException());
    }

    /**
     * Each known router ({@code host:port}) with the state of its circuit breaker ({@code CLOSED}, {@code OPEN},
     * {@code HALF_OPEN}...), for the admin view; empty when the client keeps no breakers.
     */
    default Map<String, String> breakerStates() {
        return Map.of();
    }

    /** Releases channels; waits at most {@code timeout} for in-flight calls. */
    void close(Duration timeout);

    @Override
    default void close() {
        close(Duration.ofSeconds(5));
    }
}
