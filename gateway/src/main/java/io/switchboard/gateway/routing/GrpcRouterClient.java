package io.switchboard.gateway.routing;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.switchboard.proto.internal.v1.Envelope;
import io.switchboard.proto.internal.v1.PublishRequest;
import io.switchboard.proto.internal.v1.PublishResponse;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;

/**
 * {@link RouterClient} over gRPC: one plaintext {@link ManagedChannel} per configured router (Netty transport,
 * HTTP/2 keepalive), the owner of each room chosen by {@link RendezvousPicker}. No failover yet: a call to an
 * unreachable owner fails with UNAVAILABLE. Thread-safe; channels are created eagerly and connect lazily.
 */
public final class GrpcRouterClient implements RouterClient {
    private static final Logger LOG = Logger.getLogger(GrpcRouterClient.class.getName());

    private final RendezvousPicker picker;
    private final Map<RouterEndpoint, ManagedChannel> channels;
    private final Map<RouterEndpoint, RouterServiceGrpc.RouterServiceStub> stubs;

    /**
     * @param routers       the routers, as configured
     * @param keepAliveTime HTTP/2 ping interval while calls are active; routers must permit it (grpc servers
     *                      permit 5 minutes by default)
     */
    public GrpcRouterClient(List<RouterEndpoint> routers, Duration keepAliveTime) {
        this.picker = new RendezvousPicker(routers);
        Map<RouterEndpoint, ManagedChannel> ch = new LinkedHashMap<>();
        Map<RouterEndpoint, RouterServiceGrpc.RouterServiceStub> st = new LinkedHashMap<>();
        for (RouterEndpoint r : picker.routers()) {
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(r.host(), r.port(),
                            InsecureChannelCredentials.create())
                    .keepAliveTime(keepAliveTime.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveTimeout(20, TimeUnit.SECONDS)
                    .userAgent("switchboard-gateway")
                    .build();
            ch.put(r, channel);
            st.put(r, RouterServiceGrpc.newStub(channel));
        }
        this.channels = Map.copyOf(ch);
        this.stubs = Map.copyOf(st);
    }

    @Override
    public CompletableFuture<PublishResponse> publish(Envelope envelope, Duration timeout) {
        RouterEndpoint owner = picker.pick(envelope.getRoom());
        CompletableFuture<PublishResponse> result = new CompletableFuture<>();
        stubs.get(owner)
                .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .publish(PublishRequest.newBuilder().setEnvelope(envelope).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(PublishResponse value) {
                        result.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        if (!result.isDone()) {
                            result.completeExceptionally(io.grpc.Status.INTERNAL
                                    .withDescription("router completed without a response").asRuntimeException());
                        }
                    }
                });
        return result;
    }

    /** The router that owns {@code room} (for logs and tests). */
    public RouterEndpoint ownerOf(String room) {
        return picker.pick(room);
    }

    @Override
    public void close(Duration timeout) {
        channels.values().forEach(ManagedChannel::shutdown);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<RouterEndpoint, ManagedChannel> e : channels.entrySet()) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!e.getValue().awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    LOG.warning("Router channel " + e.getKey() + " did not terminate in time; forcing");
                    e.getValue().shutdownNow();
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                LOG.log(Level.WARNING, "Interrupted while closing router channel " + e.getKey(), ie);
                e.getValue().shutdownNow();
            }
        }
    }
}
