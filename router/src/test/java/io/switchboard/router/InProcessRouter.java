package io.switchboard.router;

import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.proto.internal.v1.RouterServiceGrpc;
import io.switchboard.service.GrpcServerRuntime;
import io.switchboard.testkit.MutableClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The real {@link PublishService} behind an in-process gRPC server, over any {@link EnvelopeLog}. Counts
 * handler invocations that have returned, so tests can tell when concurrent calls have all reached the
 * service. Closes its server, channel and executor.
 */
final class InProcessRouter implements AutoCloseable {
    final InFlightLimiter limiter;
    final DedupCache dedup;
    final RouterMetrics metrics;
    final MutableClock clock;
    /** The service behind the channel, for calls from a test's own threads (as a {@code PublishStream} makes). */
    final PublishService service;
    private final AtomicInteger handled = new AtomicInteger();
    private final Server server;
    private final ManagedChannel channel;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    InProcessRouter(EnvelopeLog log, int maxInFlight, int maxPayloadBytes, Duration dedupTtl,
                    List<ServerInterceptor> interceptors) {
        clock = new MutableClock(Instant.parse("2026-01-02T03:04:05.006Z"));
        limiter = new InFlightLimiter(maxInFlight);
        dedup = new DedupCache(10_000, dedupTtl, ticker(clock));
        metrics = new RouterMetrics(new PrometheusRegistry(), limiter::inFlight, dedup::size);
        service = new PublishService(new EnvelopeValidator(maxPayloadBytes), dedup,
                new PublishSequencer(ticker(clock)), DedupCatchUp.NONE, Runnable::run, limiter, log, metrics, clock);
        List<ServerInterceptor> all = new ArrayList<>(interceptors);
        all.add(countHandled());
        String name = InProcessServerBuilder.generateName();
        try {
            server = InProcessServerBuilder.forName(name).executor(executor)
                    .addService(ServerInterceptors.intercept(service, all)).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    InProcessRouter(EnvelopeLog log) {
        this(log, 100, 65_536, Duration.ofMinutes(10), List.of());
    }

    RouterServiceGrpc.RouterServiceBlockingStub blocking() {
        return RouterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    RouterServiceGrpc.RouterServiceStub async() {
        return RouterServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** How many calls have been through the service's handler (it returned). */
    int handled() {
        return handled.get();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            GrpcServerRuntime.stop(server, Duration.ZERO);
        } finally {
            executor.shutdownNow();
        }
    }

    static Ticker ticker(InstantSource clock) {
        return () -> {
            Instant now = clock.instant();
            return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
        };
    }

    private ServerInterceptor countHandled() {
        return aroundHalfClose(halfClose -> {
            halfClose.run();
            handled.incrementAndGet();
        });
    }

    /**
     * An interceptor that calls {@code around} in place of each call's half-close (where a unary handler runs),
     * handing it that half-close to run when, and if, it chooses.
     */
    static ServerInterceptor aroundHalfClose(Consumer<Runnable> around) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                               ServerCallHandler<Q, R> next) {
                return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
                    @Override
                    public void onHalfClose() {
                        around.accept(super::onHalfClose);
                    }
                };
            }
        };
    }
}
