package io.switchboard.gateway.presence;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import io.grpc.Channel;
import io.grpc.ManagedChannelBuilder;
import io.switchboard.gateway.grpc.BackendChannel;
import io.switchboard.proto.internal.v1.PresenceServiceGrpc;
import io.switchboard.proto.internal.v1.RoomMembersRequest;
import io.switchboard.proto.internal.v1.RoomMembersResponse;
import io.switchboard.proto.internal.v1.UserPresenceRequest;
import io.switchboard.proto.internal.v1.UserPresenceResponse;
import io.switchboard.service.Failover;

/**
 * One gRPC channel per presence instance ({@code host:port} each), shared by the {@link PresenceReporter}s (one per
 * instance, through {@link #channels()}) and member queries. A query goes to the instance that answered the last
 * one and fails over to the others on {@code UNAVAILABLE} ({@link Failover}): a dead instance, a warming-up one, or
 * one that does not own the room's shard. Every attempt carries the configured deadline. Thread-safe; the channels
 * are created eagerly and connect lazily.
 */
public final class GrpcPresenceClient implements PresenceDirectory, AutoCloseable {
    private final Failover<BackendChannel> instances;

    /**
     * @param addresses {@code host:port} of each presence instance
     * @param channel   a builder of the channel to an address, plaintext or TLS ({@code gateway.grpc-client.tls.*})
     * @param timeout   deadline of each call
     */
    public GrpcPresenceClient(List<String> addresses, Function<String, ManagedChannelBuilder<?>> channel,
                              Duration timeout) {
        this.instances = new Failover<>(addresses.stream()
                .map(address -> new BackendChannel("presence", address, channel.apply(address), timeout))
                .toList());
    }

    /** The channel of each instance, in configuration order, for the reporters' calls. */
    public List<Channel> channels() {
        return instances.targets().stream().map(BackendChannel::channel).toList();
    }

    @Override
    public CompletableFuture<RoomMembersResponse> roomMembers(RoomMembersRequest request) {
        return instances.call(backend -> backend.unary(PresenceServiceGrpc.getRoomMembersMethod(), request));
    }

    @Override
    public CompletableFuture<UserPresenceResponse> userPresence(UserPresenceRequest request) {
        return instances.call(backend -> backend.unary(PresenceServiceGrpc.getUserPresenceMethod(), request));
    }

    /** Releases the channels; waits at most {@code timeout} for each. */
    public void close(Duration timeout) {
        instances.targets().forEach(backend -> backend.close(timeout));
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
