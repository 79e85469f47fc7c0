package io.switchboard.gateway.grpc;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.switchboard.service.GrpcFutures;

/**
 * One gRPC channel from the gateway to a backend service ({@code host:port}), plaintext or TLS: unary calls carry the
 * configured deadline and complete a future ({@link GrpcFutures}), and
 * {@link #close(Duration)} waits a bounded time before forcing the channel down.
 *
 * <p>Thread-safe; the channel is created eagerly and connects lazily.
 */
public final class BackendChannel {
    private static final Logger LOG = Logger.getLogger(BackendChannel.class.getName());

    private final String service;
    private final String address;
    private final Duration deadline;
    private final ManagedChannel channel;

    /**
     * @param service  names the backend in messages and log lines, such as {@code "presence"}
     * @param address  {@code host:port} of the backend, for log lines
     * @param builder  a builder of the channel to it, plaintext or TLS
     * @param deadline deadline of each call
     */
    public BackendChannel(String service, String address, ManagedChannelBuilder<?> builder, Duration deadline) {
        this(service, address, builder
                .userAgent("switchboard-gateway")
                .build(), deadline);
    }

    /**
     * Over a channel built elsewhere (an in-process one, a TLS one).
     *
     * @param address names the channel's target in log lines
     */
    public BackendChannel(String service, String address, ManagedChannel channel, Duration deadline) {
        this.service = Objects.requireNonNull(service, "service");
        this.address = Objects.requireNonNull(address, "address");
        this.channel = Objects.requireNonNull(channel, "channel");
        this.deadline = Objects.requireNonNull(deadline, "deadline");
    }

    /** The channel, for callers that make their own calls (they set their own deadlines). */
    public Channel channel() {
        return channel;
    }

    /** Calls {@code method} with the configured deadline; never blocks the caller. */
    public <Q, R> CompletableFuture<R> unary(MethodDescriptor<Q, R> method, Q request) {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
        return GrpcFutures.unary(service,
                response -> ClientCalls.asyncUnaryCall(channel.newCall(method, options), request, response));
    }

    /** Refuses new calls, waits at most {@code timeout} for those in flight, then forces the channel down. */
    public void close(Duration timeout) {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.warning(service + " channel " + address + " did not terminate in time; forcing");
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.log(Level.WARNING, "Interrupted while closing " + service + " channel " + address, e);
            channel.shutdownNow();
        }
    }
}
