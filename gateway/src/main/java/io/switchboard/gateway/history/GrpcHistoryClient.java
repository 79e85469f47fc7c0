package io.switchboard.gateway.history;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.grpc.ManagedChannel;

import io.switchboard.gateway.grpc.BackendChannel;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;

/**
 * {@link HistoryClient} over one gRPC channel (Netty transport) to the history service, normally to all its
 * replicas (balanced and retried by the channel's policy, see {@code ReplicaChannels}); every call carries the
 * configured deadline, which covers its retries. Thread-safe; the channel is created eagerly and connects lazily.
 */
public final class GrpcHistoryClient implements HistoryClient {
    private final BackendChannel backend;

    /**
     * @param address     the history replicas as configured, for log lines
     * @param channel     the channel to it, plaintext or TLS ({@code gateway.grpc-client.tls.*})
     * @param timeout the deadline of each read
     */
    public GrpcHistoryClient(String address, ManagedChannel channel, Duration timeout) {
        this.backend = new BackendChannel("history", address, channel, timeout);
    }

    @Override
    public CompletableFuture<ReadResponse> read(ReadRequest request) {
        return backend.unary(HistoryServiceGrpc.getReadMethod(), request);
    }

    @Override
    public void close(Duration timeout) {
        backend.close(timeout);
    }
}
