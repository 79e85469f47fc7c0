package io.switchboard.gateway.presence;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;

/**
 * One plaintext gRPC channel to the presence service ({@code host:port}), shared by the
 * {@link PresenceReporter} (through {@link #channel()}) and member queries; every query carries the configured
 * deadline. Thread-safe; the channel is created eagerly and connects lazily.
 */
public final class GrpcPresenceClient implements PresenceDirectory, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GrpcPresenceClient.class.getName());

    private final String address;
    private final ManagedChannel channel;
    private final PresenceServiceGrpc.PresenceServiceStub stub;
    private final Duration timeout;

    /**
     * @param address {@code host:port} of the presence service
     * @param timeout deadline of each call
     */
    public GrpcPresenceClient(String address, Duration timeout) {
        this.address = address;
        this.timeout = timeout;
        this.channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create())
                .userAgent("switchboard-gateway")
                .build();
        this.stub = PresenceServiceGrpc.newStub(channel);
    }

    /** The channel, for the reporter's calls. */
    public Channel channel() {
        return channel;
    }

    @Override
    public CompletableFuture<RoomMembersResponse> roomMembers(RoomMembersRequest request) {
        CompletableFuture<RoomMembersResponse> result = new CompletableFuture<>();
        stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS).roomMembers(request, new StreamObserver<>() {
            @Override
            public void onNext(RoomMembersResponse value) {
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
                            .withDescription("presence completed without a response").asRuntimeException());
                }
            }
        });
        return result;
    }

    /** Releases the channel; waits at most {@code timeout}. */
    public void close(Duration timeout) {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.warning("Presence channel " + address + " did not terminate in time; forcing");
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.log(Level.WARNING, "Interrupted while closing presence channel " + address, e);
            channel.shutdownNow();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
