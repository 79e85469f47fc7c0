package io.switchboard.gateway.history;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.HistoryServiceGrpc;
import io.switchboard.proto.internal.v1.ReadRequest;
import io.switchboard.proto.internal.v1.ReadResponse;

/**
 * {@link HistoryClient} over one plaintext gRPC channel (Netty transport) to {@code host:port}; every call carries
 * the configured deadline. Thread-safe; the channel is created eagerly and connects lazily.
 */
public final class GrpcHistoryClient implements HistoryClient {
    private static final Logger LOG = Logger.getLogger(GrpcHistoryClient.class.getName());

    private final String address;
    private final ManagedChannel channel;
    private final HistoryServiceGrpc.HistoryServiceStub stub;
    private final Duration timeout;

    /**
     * @param address {@code host:port} of the history service
     * @param timeout the deadline of each read
     */
    public GrpcHistoryClient(String address, Duration timeout) {
        this.address = address;
        this.timeout = timeout;
        this.channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
                .userAgent("switchboard-gateway")
                .build();
        this.stub = HistoryServiceGrpc.newStub(channel);
    }

    @Override
    public CompletableFuture<ReadResponse> read(ReadRequest request) {
        CompletableFuture<ReadResponse> result = new CompletableFuture<>();
        stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS).read(request, new StreamObserver<>() {
            @Override
            public void onNext(ReadResponse value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                if (!result.isDone()) {
                    result.completeExceptionally(Status.INTERNAL
                            .withDescription("history completed without a response").asRuntimeException());
                }
            }
        });
        return result;
    }

    @Override
    public void close(Duration timeout) {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.warning("History channel " + address + " did not terminate in time; forcing");
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.log(Level.WARNING, "Interrupted while closing history channel " + address, e);
            channel.shutdownNow();
        }
    }
}
