package io.switchboard.gateway.presence;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.grpc.ManagedChannelBuilder;

import io.grpc.Channel;
import io.switchboard.gateway.grpc.BackendChannel;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.proto.internal.v1.UserPresenceResponse;

/**
 * One gRPC channel to the presence service ({@code host:port}), shared by the
 * {@link PresenceReporter} (through {@link #channel()}) and member queries; every query carries the configured
 * deadline. Thread-safe; the channel is created eagerly and connects lazily.
 */
public final class GrpcPresenceClient implements PresenceDirectory, AutoCloseable {
    private final BackendChannel backend;

    /**
     * @param address     {@code host:port} of the presence service
     * @param channel     a builder of the channel to it, plaintext or TLS ({@code gateway.grpc-client.tls.*})
     * @param timeout deadline of each call
     */
    public GrpcPresenceClient(String address, ManagedChannelBuilder<?> channel, Duration timeout) {
        this.backend = new BackendChannel("presence", address, channel, timeout);
    }

    /** The channel, for the reporter's calls. */
    public Channel channel() {
        return backend.channel();
    }

    @Override
    public CompletableFuture<RoomMembersResponse> roomMembers(RoomMembersRequest request) {
        return backend.unary(PresenceServiceGrpc.getRoomMembersMethod(), request);
    }

    @Override
    public CompletableFuture<UserPresenceResponse> userPresence(UserPresenceRequest request) {
        return backend.unary(PresenceServiceGrpc.getUserPresenceMethod(), request);
    }

    /** Releases the channel; waits at most {@code timeout}. */
    public void close(Duration timeout) {
        backend.close(timeout);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
