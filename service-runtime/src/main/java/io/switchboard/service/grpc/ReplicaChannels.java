package io.switchboard.service.grpc;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientStreamTracer;
import io.grpc.Grpc;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Channels to a service run as interchangeable replicas, such as the history service: the replicas come from
 * {@link ReplicaNameResolverProvider} (a list, each entry possibly a DNS name with several addresses), calls are
 * spread round robin over the replicas whose gRPC health check reports the service SERVING (a replica that is
 * starting or catching up is skipped), and a call that fails UNAVAILABLE (a replica killed or stopping under it,
 * or one that answers "not caught up") is retried, within its deadline, on the next replica: up to
 * {@link #MAX_ATTEMPTS} attempts, with 50-500 ms randomized backoff. Only calls whose retry is safe belong here
 * (the history service's reads are). Stateless, hence thread-safe.
 */
public final class ReplicaChannels {
    /** Attempts per call: the first and two retries, so a call survives the loss of one replica of two or three. */
    public static final int MAX_ATTEMPTS = 3;

    private ReplicaChannels() {
    }

    /**
     * A channel builder to {@code replicas} ({@code host:port} each) serving {@code service} (its fully qualified
     * name, also the name its health check reports), with {@code credentials}; each retry runs {@code onRetry}
     * (a metric). Callers may still override the authority (TLS) and set a user agent.
     */
    public static ManagedChannelBuilder<?> builder(List<String> replicas, String service,
                                                   ChannelCredentials credentials, Runnable onRetry) {
        Objects.requireNonNull(onRetry, "onRetry");
        return Grpc.newChannelBuilder(ReplicaNameResolverProvider.target(replicas), credentials)
                .defaultServiceConfig(serviceConfig(service))
                .enableRetry()
                .maxRetryAttempts(MAX_ATTEMPTS)
                .intercept(retryCounter(onRetry));
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

    /** Counts retries (not the first attempt, not grpc-java's transparent retries of calls that never left). */
    private static ClientInterceptor retryCounter(Runnable onRetry) {
        ClientStreamTracer.Factory tracers = new ClientStreamTracer.Factory() {
            @Override
            public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
                if (info.getPreviousAttempts() > 0 && !info.isTransparentRetry()) {
                    onRetry.run();
                }
                return new ClientStreamTracer() { };
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
