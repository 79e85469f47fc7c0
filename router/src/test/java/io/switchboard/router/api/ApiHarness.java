package io.switchboard.router.api;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.MetadataUtils;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.proto.api.v1.SwitchboardApiGrpc;
import io.switchboard.router.RouterConfig;
import io.switchboard.service.config.ConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * SwitchboardApiService served in-process (with health, and a counter of the messages it asks PublishStream
 * clients for) over in-process fakes of RouterService, PresenceService and HistoryService. Closes everything.
 */
final class ApiHarness implements AutoCloseable {
    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    final FakeRouter router = new FakeRouter();
    final FakeBackends.Presence presence = new FakeBackends.Presence();
    final FakeBackends.History history = new FakeBackends.History();
    final SwitchboardApiService service;
    final HealthStatusManager health = new HealthStatusManager();
    /** Total messages requested from clients through {@code ServerCall.request(n)}. */
    final AtomicLong requested = new AtomicLong();
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Server backends;
    private final ManagedChannel backendChannel;
    private final Server api;
    private final ManagedChannel apiChannel;

    ApiHarness(ApiConfig config, ApiRateLimiter limiter, boolean withPresenceAndHistory) {
        try {
            String backendName = InProcessServerBuilder.generateName();
            backends = InProcessServerBuilder.forName(backendName).executor(executor)
                    .addService(router.definition()).addService(presence).addService(history).build().start();
            backendChannel = InProcessChannelBuilder.forName(backendName).executor(executor).build();
            service = new SwitchboardApiService(backendChannel,
                    withPresenceAndHistory ? List.of(backendChannel) : List.of(),
                    withPresenceAndHistory ? Optional.of(backendChannel) : Optional.empty(),
                    config, InstantSource.fixed(NOW), new PrometheusRegistry(), limiter);
            String apiName = InProcessServerBuilder.generateName();
            api = InProcessServerBuilder.forName(apiName).executor(executor)
                    .addService(ServerInterceptors.intercept(service.definition(), countRequests()))
                    .addService(health.getHealthService())
                    .build().start();
            apiChannel = InProcessChannelBuilder.forName(apiName).executor(executor).build();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    /** The API enabled, with HS256 service tokens signed with {@link Tokens#SECRET}. */
    static ApiConfig config() {
        return config(b -> { });
    }

    /** {@link #config()} with further {@code router.api.*} values. */
    static ApiConfig config(Consumer<ConfigBuilder<RouterConfig>> tweaks) {
        ConfigBuilder<RouterConfig> b = RouterConfig.builder().set(ApiKeys.ENABLED, true)
                .set(ApiKeys.AUTH.hs256Secret, Tokens.SECRET);
        tweaks.accept(b);
        return b.build().api();
    }

    /** A harness with the default config and an effectively unlimited rate. */
    static ApiHarness standard() {
        return new ApiHarness(config(), new ApiRateLimiter(1_000_000, Duration.ofSeconds(1)), true);
    }

    ManagedChannel channel() {
        return apiChannel;
    }

    /** A token with {@code scope} for service "billing". */
    static String token(String scope) {
        return Tokens.token("billing", scope, NOW);
    }

    SwitchboardApiGrpc.SwitchboardApiBlockingStub blocking(String token) {
        return SwitchboardApiGrpc.newBlockingStub(apiChannel).withInterceptors(bearer(token));
    }

    SwitchboardApiGrpc.SwitchboardApiStub async(String token) {
        return SwitchboardApiGrpc.newStub(apiChannel).withInterceptors(bearer(token));
    }

    static io.grpc.ClientInterceptor bearer(String token) {
        Metadata headers = new Metadata();
        if (token != null) {
            headers.put(ServiceAuthInterceptor.AUTHORIZATION, "Bearer " + token);
        }
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    private ServerInterceptor countRequests() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                return next.startCall(new SimpleForwardingServerCall<>(call) {
                    @Override
                    public void request(int n) {
                        requested.addAndGet(n);
                        super.request(n);
                    }
                }, headers);
            }
        };
    }

    @Override
    public void close() {
        if (apiChannel != null) {
            apiChannel.shutdownNow();
        }
        if (api != null) {
            api.shutdownNow();
        }
        if (backendChannel != null) {
            backendChannel.shutdownNow();
        }
        if (backends != null) {
            backends.shutdownNow();
        }
        if (service != null) {
            service.close();
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
