package io.switchboard.gateway.routing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishResponse;

/**
 * Sends publishes to the router that owns their room. The seam where router failover slots in later.
 * Implementations are thread-safe.
 */
public interface RouterClient extends AutoCloseable {
    /**
     * Publishes one envelope. The future fails with a gRPC {@code StatusRuntimeException} (map it with
     * {@link StatusMapper}); it never blocks the caller.
     */
    CompletableFuture<PublishResponse> publish(Envelope envelope, Duration timeout);

    /** Releases channels; waits at most {@code timeout} for in-flight calls. */
    void close(Duration timeout);

    @Override
    default void close() {
        close(Duration.ofSeconds(5));
    }
}
