package io.switchboard.service.grpc;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/**
 * Channels to a service run as interchangeable replicas, such as the history service: the replicas come from
 * {@link ReplicaNameResolverProvider} (a list, each entry possibly a DNS name with several addresses), calls are
 * spread round robin over the replicas whose gRPC health check reports the service SERVING (a replica that is
 * starting or catching up is skipped), and a call that fails UNAVAILABLE (a replica killed or stopping under it,
 * or one that answers "not caught up") is retried, within its deadline, on the next replica: up to
 * {@link #MAX_ATTEMPTS} attempts, with 50-500 ms randomized backoff. An attempt that fails UNAVAILABLE also resets
 * the channel's reconnect backoff, so a replica that came back while the channel was waiting (grpc-java's backoff
 * grows to two minutes) is connected again before the retry rather than minutes later: during a rolling restart,
 * the replica restarted first is in use again by the time the next one goes down. Only calls whose retry is safe
 * belong here (the history service's reads are). Calls start outside the caller's {@link Context} (see
 * {@link #startedOutsideCallersContext()}) and follow its deadline and cancellation. Stateless, hence thread-safe.
 */
public final class ReplicaChannels {
    /** Attempts per call: the first and two retries, so a call survives the loss of one replica of two or three. */
    public static final int MAX_ATTEMPTS = 3;

    private ReplicaChannels() {
    }

    /**
     * A channel to {@code replicas} ({@code host:port} each) serving {@code service} (its fully qualified name,
     * also the name its health check reports), with {@code credentials}; {@code customize} adds what the caller
     * needs (a TLS authority, a user agent); each retry runs {@code onRetry} (a metric). The channel starts
     * connecting at once.
     */
    public static ManagedChannel channel(List<String> replicas, String service, ChannelCredentials credentials,
                                         Consumer<ManagedChannelBuilder<?>> customize, Runnable onRetry) {
        ManagedChannel channel = build(Grpc.newChannelBuilder(ReplicaNameResolverProvider.target(replicas),
                credentials), service, customize, onRetry);
        // Connect (and health-check) the replicas now, not on the first call: the first resumes after a start
        // would otherwise wait for that within their deadline.
        channel.getState(true);
        return channel;
    }

    /** {@code builder} with the balancing, health checks, retries and interceptors above; not yet connecting. */
    static ManagedChannel build(ManagedChannelBuilder<?> builder, String service,
                                Consumer<ManagedChannelBuilder<?>> customize, Runnable onRetry) {
        Objects.requireNonNull(onRetry, "onRetry");
        AtomicReference<ManagedChannel> built = new AtomicReference<>();
        builder.defaultServiceConfig(serviceConfig(service))
                .enableRetry()
                .maxRetryAttempts(MAX_ATTEMPTS)
                .intercept(tracing(onRetry, () -> {
                    ManagedChannel channel = built.get();
                    if (channel != null) {
                        // May do the channel's pending work in this thread: not in a caller's Context (see below).
                        Context.ROOT.run(channel::resetConnectBackoff);
                    }
                }));
        customize.accept(builder);
        builder.intercept(startedOutsideCallersContext()); // the last added runs first: around every other one
        ManagedChannel channel = builder.build();
        built.set(channel);
        return channel;
    }

    /**
     * The service config (the JSON form as maps, numbers as doubles, as grpc-java parses it): round robin with
     * client-side health checks (grpc-services' balancer, on the class path), and the retry policy.
     */
    static Map<String, Object> serviceConfig(String service) {
        return Map.of(
                "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
                "healthCheckConfig", Map.of("serviceName", service),
                "methodConfig", List.of(Map.of(
                        "name", List.of(Map.of("service", service)),
                        "retryPolicy", Map.of(
                                "maxAttempts", (double) MAX_ATTEMPTS,
                                "initialBackoff", "0.05s",
                                "maxBackoff", "0.5s",
                                "backoffMultiplier", 2.0,
                                "retryableStatusCodes", List.of("UNAVAILABLE")))));
    }

    /**
     * Starts each call in a fork of the caller's {@link Context} (its values, not its cancellation or deadline),
     * then binds the call to the caller's deadline and cancellation itself. Why: starting a call may do the
     * channel's pending work in the calling thread, among it the start of a replica's health-check stream when that
     * replica has just connected, and grpc-java starts that stream in the thread's current Context. The router's
     * public API reads history from inside its own server call, whose Context is cancelled when that call ends:
     * the health check would end with it and a healthy replica drop out of rotation, failing the next reads
     * UNAVAILABLE until the health check's backoff had passed.
     */
    private static ClientInterceptor startedOutsideCallersContext() {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                                                         Channel next) {
                Context caller = Context.current();
                Context detached = caller.fork();
                CallOptions bounded = withEarlierDeadline(options, caller.getDeadline());
                ClientCall<Q, R> call;
                Context previous = detached.attach();
                try {
                    call = next.newCall(method, bounded);
                } finally {
                    detached.detach(previous);
                }
                return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        Context.CancellationListener cancel = ended -> {
                            // The caller's deadline is the call's own (above): it ends the call DEADLINE_EXCEEDED.
                            if (!(ended.cancellationCause() instanceof TimeoutException)) {
                                cancel("the caller's Context was cancelled", ended.cancellationCause());
                            }
                        };
                        Listener<R> unbinding = new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                                listener) {
                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                caller.removeListener(cancel);
                                super.onClose(status, trailers);
                            }
                        };
                        Context previous = detached.attach();
                        try {
                            super.start(unbinding, headers);
                        } finally {
                            detached.detach(previous);
                        }
                        caller.addListener(cancel, Runnable::run); // runs at once if already cancelled
                    }
                };
            }
        };
    }

    private static CallOptions withEarlierDeadline(CallOptions options, Deadline callers) {
        Deadline own = options.getDeadline();
        return callers == null || (own != null && own.isBefore(callers)) ? options : options.withDeadline(callers);
    }

    /**
     * Per attempt: counts retries (not the first attempt, not grpc-java's transparent retries of calls that never
     * left), and runs {@code onUnavailable} when an attempt fails UNAVAILABLE.
     */
    private static ClientInterceptor tracing(Runnable onRetry, Runnable onUnavailable) {
        ClientStreamTracer.Factory tracers = new ClientStreamTracer.Factory() {
            @Override
            public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
                if (info.getPreviousAttempts() > 0 && !info.isTransparentRetry()) {
                    onRetry.run();
                }
                return new ClientStreamTracer() {
                    @Override
                    public void streamClosed(Status status) {
                        if (status.getCode() == Status.Code.UNAVAILABLE) {
                            onUnavailable.run();
                        }
                    }
                };
            }
        };
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                                                         Channel next) {
                return next.newCall(method, options.withStreamTracerFactory(tracers));
            }
        };
    }
}
