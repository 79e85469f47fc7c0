package io.switchboard.service;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.switchboard.service.tls.ServerTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A tier's grpc-java server: Netty on {@code <tier>.grpc.port} (plaintext, or TLS per {@link ServerTls}), handlers
 * on a thread-per-task executor (virtual
 * threads: a handler that waits costs little), the gRPC health service (NOT_SERVING until {@link #serving}) and
 * reflection, beside the tier's own services. The tier adds those and its transport limits in
 * {@code configure}.
 *
 * <p>Thread-safe as grpc-java's {@link Server} and {@link HealthStatusManager} are; the tier's lifecycle
 * decides when each method is called.
 */
public final class GrpcServerRuntime {
    /** How long a server forced down with shutdownNow() is still waited for. */
    private static final Duration AFTER_FORCE_WAIT = Duration.ofSeconds(1);

    private final HealthStatusManager health;
    private final ExecutorService executor;
    private final Server server;

    private GrpcServerRuntime(HealthStatusManager health, ExecutorService executor, Server server) {
        this.health = health;
        this.executor = executor;
        this.server = server;
    }

    /**
     * Binds {@code port} (0 = any free port) and starts serving.
     *
     * @param tier      names the port key in errors ({@code <tier>.grpc.port})
     * @param threads   makes the handler threads (name them {@code <tier>-grpc-N})
     * @param configure adds the tier's services and transport settings
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static GrpcServerRuntime start(String tier, int port, ThreadFactory threads,
                                          Consumer<NettyServerBuilder> configure) {
        return start(tier, port, ServerTls.plaintext(), threads, configure);
    }

    /**
     * Binds {@code port} (0 = any free port) with {@code tls} ({@code <tier>.grpc.tls.*}) and starts serving.
     *
     * @see #start(String, int, ThreadFactory, Consumer)
     */
    public static GrpcServerRuntime start(String tier, int port, ServerTls tls, ThreadFactory threads,
                                          Consumer<NettyServerBuilder> configure) {
        HealthStatusManager health = new HealthStatusManager();
        ExecutorService executor = Executors.newThreadPerTaskExecutor(threads);
        NettyServerBuilder builder = tls.serverBuilder(port).executor(executor)
                .permitKeepAliveWithoutCalls(true);
        configure.accept(builder);
        builder.addService(health.getHealthService()).addService(ProtoReflectionServiceV1.newInstance());
        try {
            return new GrpcServerRuntime(health, executor, builder.build().start());
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot bind " + tier + ".grpc.port " + port, e);
        }
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    /** The handler executor, for further servers of the tier (such as an in-process one). */
    public ExecutorService executor() {
        return executor;
    }

    /** Reports SERVING for the whole server and for each of {@code services} (fully qualified names). */
    public void serving(Iterable<String> services) {
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        services.forEach(service -> health.setStatus(service, ServingStatus.SERVING));
    }

    /** Reports NOT_SERVING for good: health checkers take the tier out of rotation. */
    public void notServing() {
        health.enterTerminalState();
    }

    /** Reports NOT_SERVING and refuses new calls; running calls continue. Returns at once. */
    public void drain() {
        notServing();
        server.shutdown();
    }

    /** Refuses new calls, waits up to {@code grace} for running ones, then forces the rest down. */
    public void stop(Duration grace) {
        stop(server, grace);
    }

    /** Stops the handler threads; after {@link #stop}, there is nothing left for them. */
    public void stopExecutor() {
        executor.shutdownNow();
    }

    /**
     * Stops {@code server}: no new calls, running ones get up to {@code grace}, then shutdownNow() and a short
     * wait. Keeps the interrupt flag when interrupted (and forces the server down).
     */
    public static void stop(Server server, Duration grace) {
        server.shutdown();
        try {
            if (!server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(AFTER_FORCE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
