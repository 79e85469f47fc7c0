package io.switchboard.gateway.history;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.grpc.Status;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;
import io.switchboard.service.Futures;

/** Reads pages of stored room messages from the history service. Implementations are thread-safe. */
public interface HistoryClient {
    /**
     * Reads one page. The future fails with a gRPC {@code StatusRuntimeException} (map it with
     * {@link HistoryStatusMapper}); the call never blocks the caller.
     */
    CompletableFuture<ReadResponse> read(ReadRequest request);

    /** {@link #read}, with a failure thrown by the call itself (not by its future) turned into a failed future. */
    default CompletableFuture<ReadResponse> readOrFail(ReadRequest request) {
        return Futures.started(() -> read(request));
    }

    /** Releases the channel; waits at most {@code timeout} for calls in flight. */
    void close(Duration timeout);

    /**
     * False for a gateway without a history service: a permanent state, unlike a history service that is down, so a
     * resume must not be answered with a retriable error that no retry can ever cure.
     */
    default boolean configured() {
        return true;
    }

    /** The client of a gateway without {@code gateway.history.address}: every read fails with UNAVAILABLE. */
    static HistoryClient unconfigured() {
        return new HistoryClient() {
            @Override
            public boolean configured() {
                return false;
            }

            @Override
            public CompletableFuture<ReadResponse> read(ReadRequest request) {
                return CompletableFuture.failedFuture(Status.UNAVAILABLE
                        .withDescription("history is not configured on this gateway").asRuntimeException());
            }

            @Override
            public void close(Duration timeout) {
            }
        };
    }
}
